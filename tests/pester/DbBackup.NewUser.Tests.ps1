#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# What a new user sees first: the prompts and -WhatIf lines of the destructive cmdlets name what they act on,
# and the default views show whole values. Real PostgreSQL, as DbBackup.Tests.ps1.

BeforeAll {
    $script:ModuleManifest = (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path).Path
    Import-Module $script:ModuleManifest -Force -ErrorAction Stop
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
    # What-if lines go to the host, so a child pwsh prints them to its stdout.
    function script:Get-WhatIfText([string] $Command) {
        $script = Join-Path $TestDrive ('whatif-{0}.ps1' -f [guid]::NewGuid().ToString('N'))
        "Import-Module '$script:ModuleManifest'; $Command" | Set-Content $script
        (& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $script) -join ' '
    }
    $script:Target = @{
        Engine = 'PostgreSql'; Server = $script:Pg.Server; Port = $script:Pg.Port
        Credential = [pscredential]::new($script:Pg.User, (ConvertTo-SecureString $script:Pg.Password -AsPlainText -Force))
    }
    $script:Db = 'newuser_{0}' -f [guid]::NewGuid().ToString('N').Substring(0, 12)
    Invoke-Psql 'postgres' "CREATE DATABASE $script:Db;" | Out-Null
    Invoke-Psql $script:Db 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20) g;' | Out-Null
    $script:Repo = Join-Path $TestDrive 'repo'
    $script:Backup = Start-DbBackup @script:Target -Database $script:Db -Repository $script:Repo -Wait
    $script:Restore = Restore-DbBackup -Id $script:Backup.Id @script:Target -TargetDatabase "$($script:Db)_copy" -Repository $script:Repo -Confirm:$false -Wait
}

AfterAll {
    foreach ($name in $script:Db, "$($script:Db)_copy") { Invoke-Psql 'postgres' "DROP DATABASE IF EXISTS $name WITH (FORCE);" | Out-Null }
    Remove-Module DbBackup -Force -ErrorAction SilentlyContinue
}

Describe 'Prompts name what a yes acts on' {
    It 'Stop-DbBackup -WhatIf names the operation''s kind, database and state, not only its id' {
        $script:Backup.State | Should -Be 'Succeeded'
        $out = Get-WhatIfText "Stop-DbBackup -Id '$($script:Backup.Id)' -Repository '$script:Repo' -WhatIf"
        $out | Should -BeLike "*Cancel operation*$($script:Backup.Id) (backup of PostgreSql $($script:Pg.Server):$($script:Pg.Port)/$($script:Db), Succeeded, requested *"
        $out = Get-WhatIfText "Stop-DbBackup -Id '$($script:Restore.Id)' -Repository '$script:Repo' -WhatIf"
        $out | Should -BeLike "*$($script:Restore.Id) (restore into PostgreSql *:*/$($script:Db)_copy, Succeeded, *"
    }

    It 'Remove-DbBackupRestore -WhatIf names the backup and the database it restored into, and removes nothing' {
        $script:Restore.State | Should -Be 'Succeeded'
        $out = Get-WhatIfText "Get-DbBackupRestore -Id '$($script:Restore.Id)' -Repository '$script:Repo' | Remove-DbBackupRestore -Repository '$script:Repo' -WhatIf"
        $out | Should -BeLike "*Remove restore record*$($script:Restore.Id) (restore of backup $($script:Backup.Id) into PostgreSql *:*/$($script:Db)_copy, Succeeded, requested *"
        (Get-DbBackupRestore -Repository $script:Repo).Id | Should -Contain $script:Restore.Id
    }

    It 'an id the repository does not hold is named as typed' {
        Get-WhatIfText "Stop-DbBackup -Id 'bk-20200101000000000-000000' -Repository '$script:Repo' -WhatIf" |
            Should -BeLike '*on target "bk-20200101000000000-000000".*'
    }
}

Describe 'Default views show whole values' {
    It 'an imported backup''s Kind reads Imported in the table, not a cut-off Impor…' {
        $bundle = Join-Path $TestDrive 'b.dbbackup'
        Save-DbBackup -Id $script:Backup.Id -Path $bundle -Repository $script:Repo
        $imported = Import-DbBackup -Path $bundle -Repository (Join-Path $TestDrive 'imported')
        $imported.Kind | Should -Be 'Imported'
        $row = ($imported | Out-String -Width 200) -split "`n" | Where-Object { $_ -like "$($imported.Id)*" }
        $row | Should -Match '\sImported\s'
    }

    It 'the repository table shows whether it encrypts, with the key id' {
        $key = [Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
        $env:DBBACKUP_ENCRYPTION_KEY = $key
        try { $info = Set-DbBackupRepository -Repository (Join-Path $TestDrive 'enc') -Encryption Required -Confirm:$false -PassThru }
        finally { Remove-Item Env:DBBACKUP_ENCRYPTION_KEY }
        $text = $info | Out-String -Width 200
        $text | Should -Match "Encryption"
        $text | Should -Match "Required $($info.Settings.EncryptionKeyId)"
        $text | Should -Not -Match ([regex]::Escape($key))
        (Get-DbBackupRepository -Repository $script:Repo | Out-String -Width 200) | Should -Match '\sNone\s*$'
    }
}
