#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The restore history through the cmdlets: Set-DbBackupRepository -RestoreHistoryDays and Remove-DbBackupRestore
# (pruning by age itself is tested in xUnit, where records can be dated back). Real PostgreSQL, as DbBackup.Tests.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path).Path -Force -ErrorAction Stop
    function script:Env([string] $Name, [string] $Default) { if ([string]::IsNullOrEmpty(($v = [Environment]::GetEnvironmentVariable($Name)))) { $Default } else { $v } }
    $script:Pg = @{
        Server = Env 'DBBACKUP_TEST_PG_HOST' '127.0.0.1'; Port = [int](Env 'DBBACKUP_TEST_PG_PORT' '5432')
        User = Env 'DBBACKUP_TEST_PG_USER' 'dbbackup'; Password = Env 'DBBACKUP_TEST_PG_PASSWORD' 'dbbackup-test-pw'
    }
    function script:Invoke-Psql([string] $Database, [string] $Sql) {
        $env:PGPASSWORD = $script:Pg.Password
        try { $out = $Sql | & psql -X -q -A -t -v ON_ERROR_STOP=1 -h $script:Pg.Server -p $script:Pg.Port -U $script:Pg.User -d $Database 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE -ne 0) { throw "SQL failed on ${Database}: $out" }
        $out
    }
    $script:Target = @{
        Engine = 'PostgreSql'; Server = $script:Pg.Server; Port = $script:Pg.Port
        Credential = [pscredential]::new($script:Pg.User, (ConvertTo-SecureString $script:Pg.Password -AsPlainText -Force))
    }
    $script:Db = 'rshist_{0}' -f [guid]::NewGuid().ToString('N').Substring(0, 12)
    Invoke-Psql 'postgres' "CREATE DATABASE $script:Db;" | Out-Null
    Invoke-Psql $script:Db 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 50) g;' | Out-Null
    $script:Repo = Join-Path $TestDrive 'repo'
}

AfterAll {
    foreach ($name in $script:Db, "$($script:Db)_a", "$($script:Db)_b") { Invoke-Psql 'postgres' "DROP DATABASE IF EXISTS $name WITH (FORCE);" | Out-Null }
    Remove-Module DbBackup -Force -ErrorAction SilentlyContinue
}

Describe 'Restore history' {
    It 'keeps 90 days by default and takes -RestoreHistoryDays, 0 keeping every record' {
        (Get-DbBackupRepository -Repository $script:Repo).Settings.RestoreHistoryDays | Should -Be 90
        $info = Set-DbBackupRepository -Repository $script:Repo -RestoreHistoryDays 0 -Confirm:$false -PassThru
        $info.Settings.RestoreHistoryDays | Should -Be 0
        (Set-DbBackupRepository -Repository $script:Repo -RestoreHistoryDays 30 -Confirm:$false -PassThru).Settings.RestoreHistoryDays | Should -Be 30
        { Set-DbBackupRepository -Repository $script:Repo -RestoreHistoryDays -1 -Confirm:$false } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,DbBackup.PowerShell.SetDbBackupRepositoryCommand'
    }

    It 'removes piped restore records with Remove-DbBackupRestore, honours -WhatIf and reports an unknown id' {
        $backup = Start-DbBackup @script:Target -Database $script:Db -Repository $script:Repo -Wait
        $backup.State | Should -Be 'Succeeded'
        $a = Restore-DbBackup -Id $backup.Id @script:Target -TargetDatabase "$($script:Db)_a" -Repository $script:Repo -Confirm:$false -Wait
        $b = Restore-DbBackup -Id $backup.Id @script:Target -TargetDatabase "$($script:Db)_b" -Repository $script:Repo -Confirm:$false -Wait
        $a.State, $b.State | Should -Be 'Succeeded', 'Succeeded'

        Get-DbBackupRestore -Id $a.Id -Repository $script:Repo | Remove-DbBackupRestore -Repository $script:Repo -WhatIf
        (Get-DbBackupRestore -Repository $script:Repo).Id | Should -Contain $a.Id

        $removed = Get-DbBackupRestore -Database "$($script:Db)_a" -Repository $script:Repo | Remove-DbBackupRestore -Repository $script:Repo -Confirm:$false -PassThru
        $removed.Id | Should -Be $a.Id
        $removed | Should -BeOfType ([DbBackup.Model.RestoreRecord])
        (Get-DbBackupRestore -Repository $script:Repo).Id | Should -Be @($b.Id)

        Remove-DbBackupRestore -Id $a.Id -Repository $script:Repo -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be 'RestoreNotFound,DbBackup.PowerShell.RemoveDbBackupRestoreCommand'
        # The restored database itself is not touched.
        Invoke-Psql "$($script:Db)_a" 'SELECT count(*) FROM t;' | Should -Be '50'
    }

    It 'tab completion of -Id offers restore ids to Remove-DbBackupRestore, and restore then backup ids to Get-DbBackupRestore' {
        $restores = @(Get-DbBackupRestore -Repository $script:Repo).Id
        $restores.Count | Should -BeGreaterThan 0
        $line = "Remove-DbBackupRestore -Repository '$($script:Repo)' -Id "
        $offered = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        ($offered | Sort-Object) | Should -Be ($restores | Sort-Object)
        $line = "Get-DbBackupRestore -Repository '$($script:Repo)' -Id "
        $offered = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
        $offered[0..($restores.Count - 1)] | Should -Be $restores
        $offered | Should -Contain (Get-DbBackup -Repository $script:Repo -First 1).Id
    }
}
