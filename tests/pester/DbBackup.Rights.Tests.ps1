#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Rights enforced by the store (issue 8 §7) through the cmdlets, with account SAS tokens made here against
# Azurite (DBBACKUP_TEST_AZURE_CONNECTION_STRING, which .ci/run exports). Read and list (`rl`): lists,
# reports status, verifies, downloads and restores (the restore's record, lock and safety backup kept in a
# local state repository, DBBACKUP_STATE_REPOSITORY); Start- and Remove-DbBackup are refused up front with
# the StoreRightMissing error id, in PowerShell's words, and the repository is left as it was. Create
# without delete (`racwl`): backs up and holds; Remove-DbBackup is refused naming the delete right and
# retention logs PruneFailed, keeping every backup. The full set (`racwdl`): everything, removal included.

BeforeDiscovery {
    # Under CI the emulator must be there: the test then runs (and fails) rather than being skipped.
    $script:NoAzurite = [string]::IsNullOrEmpty($env:DBBACKUP_TEST_AZURE_CONNECTION_STRING) -and $env:CI -ne 'true'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path) -Force -ErrorAction Stop

    function script:Env([string] $Name, [string] $Default) { if ([string]::IsNullOrEmpty(($v = [Environment]::GetEnvironmentVariable($Name)))) { $Default } else { $v } }
    $script:Pg = @{
        Server = Env 'DBBACKUP_TEST_PG_HOST' '127.0.0.1'; Port = [int](Env 'DBBACKUP_TEST_PG_PORT' '5432')
        User = Env 'DBBACKUP_TEST_PG_USER' 'dbbackup'; Password = Env 'DBBACKUP_TEST_PG_PASSWORD' 'dbbackup-test-pw'
    }
    function script:Invoke-Pg([string] $Database, [string] $Sql) {
        $env:PGPASSWORD = $Pg.Password
        try { $out = $Sql | & psql -X -q -A -t -v ON_ERROR_STOP=1 -h $Pg.Server -p $Pg.Port -U $Pg.User -d $Database 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE -ne 0) { throw "SQL failed on ${Database}: $out" }
        $out
    }

    # An account SAS (service version 2019-12-12) signed with the emulator's well-known key, as the
    # Azure CLI's `az storage account generate-sas` makes one: permissions are the letters r, l, w, d …
    function script:New-AccountSas([string] $Permissions) {
        $parts = @{}
        foreach ($p in $env:DBBACKUP_TEST_AZURE_CONNECTION_STRING.Split(';', [StringSplitOptions]::RemoveEmptyEntries)) { $k, $v = $p.Split('=', 2); $parts[$k] = $v }
        $expiry = [DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ')
        $toSign = ($parts.AccountName, $Permissions, 'b', 'sco', '', $expiry, '', '', '2019-12-12', '') -join "`n"
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($parts.AccountKey))
        $sig = [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($toSign)))
        "sv=2019-12-12&ss=b&srt=sco&sp=$Permissions&se=$([uri]::EscapeDataString($expiry))&sig=$([uri]::EscapeDataString($sig))"
    }

    function script:Use-Sas([string] $Sas) {
        $env:AZURE_STORAGE_CONNECTION_STRING = $null
        $env:AZURE_STORAGE_ACCOUNT = 'devstoreaccount1'
        $env:AZURE_STORAGE_SAS_TOKEN = $Sas
    }

    # A fresh repository in the container pesterrights (made with a full SAS) and a database of 100 rows.
    function script:New-RightsCase {
        $blob = ($env:DBBACKUP_TEST_AZURE_CONNECTION_STRING.Split(';') | Where-Object { $_ -like 'BlobEndpoint=*' }).Substring(13).TrimEnd('/')
        $full = New-AccountSas 'racwdl'
        Invoke-WebRequest -Method Put -Uri "$blob/pesterrights?restype=container&$full" -Headers @{ 'x-ms-version' = '2019-12-12' } -SkipHttpErrorCheck | Out-Null
        $db = 'psrights_{0}' -f ([guid]::NewGuid().ToString('N').Substring(0, 12))
        Invoke-Pg 'postgres' "CREATE DATABASE $db;" | Out-Null
        Invoke-Pg $db "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g;" | Out-Null
        @{
            Repo = "$blob/pesterrights/$([guid]::NewGuid().ToString('N'))"; Db = $db; Full = $full
            Target = @{ Engine = 'PostgreSql'; Server = $Pg.Server; Port = $Pg.Port; Credential = [pscredential]::new($Pg.User, (ConvertTo-SecureString $Pg.Password -AsPlainText -Force)) }
        }
    }

    # The checks every StoreRightMissing refusal passes: the id, the category, the right, the variable, the
    # cmdlet's own name, no CLI wording and never the SAS signature.
    function script:Assert-RightMissing($Err, [string] $Cmdlet, [string] $Right) {
        $Err.FullyQualifiedErrorId | Should -Be ('StoreRightMissing,DbBackup.PowerShell.{0}Command' -f ($Cmdlet -replace '-', ''))
        $Err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$Err" | Should -Match "needs the $Right right"
        "$Err" | Should -Match 'AZURE_STORAGE_SAS_TOKEN'
        "$Err" | Should -Match ([regex]::Escape($Cmdlet))
        "$Err" | Should -Not -Match 'dbbackup |--'
        "$Err" | Should -Not -Match ([regex]::Escape(($env:AZURE_STORAGE_SAS_TOKEN -split 'sig=')[1]))
    }
}

Describe 'A read-and-list SAS through the cmdlets' -Skip:$NoAzurite {
    BeforeAll {
        $case = New-RightsCase
        $repo = $case.Repo; $db = $case.Db; $target = $case.Target
        Use-Sas $case.Full
        $backup = Start-DbBackup @target -Database $db -Repository $repo -Wait
        Use-Sas (New-AccountSas 'rl')
        $env:DBBACKUP_STATE_REPOSITORY = Join-Path $TestDrive 'state'
        $before = (Get-DbBackupLog -Repository $repo | Measure-Object).Count
    }
    AfterAll {
        $env:AZURE_STORAGE_SAS_TOKEN = $null; $env:AZURE_STORAGE_ACCOUNT = $null; $env:DBBACKUP_STATE_REPOSITORY = $null
        Invoke-Pg 'postgres' "DROP DATABASE IF EXISTS $db WITH (FORCE);" | Out-Null
        Invoke-Pg 'postgres' "DROP DATABASE IF EXISTS ${db}_r WITH (FORCE);" | Out-Null
    }

    It 'lists, reports status, verifies and saves' {
        $backup.State | Should -Be 'Succeeded'
        (Get-DbBackup -Repository $repo -Database $db).Id | Should -Be $backup.Id
        (Get-DbBackupStatus -Engine PostgreSql -Server $Pg.Server -Port $Pg.Port -Database $db -Repository $repo).Backup.Id | Should -Be $backup.Id
        (Test-DbBackup -Id $backup.Id -Repository $repo).Passed | Should -BeTrue
        $bundle = Join-Path $TestDrive 'download.dbbackup'
        Save-DbBackup -Id $backup.Id -Path $bundle -Repository $repo
        (Get-Item $bundle).Length | Should -BeGreaterThan 0
    }

    It 'restores into a new database, the restore kept in the state repository and listed with the repository''s' {
        $restore = Restore-DbBackup -Id $backup.Id @target -TargetDatabase "${db}_r" -Repository $repo -Confirm:$false -Wait -ErrorAction Stop
        $restore.State | Should -Be 'Succeeded'
        $rows = 'SELECT string_agg(id || '':'' || v, '','' ORDER BY id) FROM t'
        Invoke-Pg "${db}_r" $rows | Should -Be (Invoke-Pg $db $rows)
        (Get-DbBackupRestore -Repository $repo).Id | Should -Contain $restore.Id
        (Get-DbBackupRestore -Repository $env:DBBACKUP_STATE_REPOSITORY -Id $restore.Id).SourceRepository | Should -Not -BeNullOrEmpty
    }

    It 'refuses <Cmdlet> up front naming the <Right> right, in PowerShell words' -ForEach @(
        @{ Cmdlet = 'Start-DbBackup'; Right = 'write'; Run = { Start-DbBackup @target -Database $db -Repository $repo -ErrorAction Stop } }
        @{ Cmdlet = 'Remove-DbBackup'; Right = 'delete'; Run = { Remove-DbBackup -Id $backup.Id -Force -Confirm:$false -Repository $repo -ErrorAction Stop } }
    ) {
        $err = $Run | Should -Throw -PassThru
        Assert-RightMissing $err $Cmdlet $Right
        Test-Path "Env:AZURE_STORAGE_SAS_TOKEN" | Should -BeTrue
    }

    It 'leaves the repository as it was: the same backup, Succeeded, and no new log line' {
        @(Get-DbBackup -Repository $repo).Id | Should -Be @($backup.Id)
        (Get-DbBackup -Repository $repo -Id $backup.Id).State | Should -Be 'Succeeded'
        (Get-DbBackupLog -Repository $repo | Measure-Object).Count | Should -Be $before
    }
}

Describe 'A create-only SAS (racwl, no delete) through the cmdlets' -Skip:$NoAzurite {
    BeforeAll {
        $case = New-RightsCase
        $repo = $case.Repo; $db = $case.Db; $target = $case.Target
        Use-Sas $case.Full
        # KeepLast 1: every new backup asks retention to remove the older ones, which this SAS may not.
        Set-DbBackupRepository -Repository $repo -KeepLast 1 -Confirm:$false
        Use-Sas (New-AccountSas 'racwl')
    }
    AfterAll {
        $env:AZURE_STORAGE_SAS_TOKEN = $null; $env:AZURE_STORAGE_ACCOUNT = $null
        Invoke-Pg 'postgres' "DROP DATABASE IF EXISTS $db WITH (FORCE);" | Out-Null
    }

    It 'backs up twice (the second takes the lock the first could only mark released) and holds a backup' {
        $script:first = Start-DbBackup @target -Database $db -Repository $repo -Wait -ErrorAction Stop
        $script:second = Start-DbBackup @target -Database $db -Repository $repo -Wait -ErrorAction Stop
        $first.State, $second.State | Should -Be 'Succeeded', 'Succeeded'
        Set-DbBackup -Id $first.Id -Hold -Repository $repo -Confirm:$false -ErrorAction Stop
        (Get-DbBackup -Repository $repo -Id $first.Id).Hold | Should -BeTrue
        (Test-DbBackup -Id $second.Id -Repository $repo).Passed | Should -BeTrue
    }

    It 'keeps every backup when retention may not delete, and logs PruneFailed naming the delete right' {
        @(Get-DbBackup -Repository $repo -Database $db).Id | Should -Be @($second.Id, $first.Id)
        $failed = @(Get-DbBackupLog -Repository $repo -Database $db | Where-Object Action -EQ 'PruneFailed')
        $failed.Count | Should -BeGreaterThan 0
        $failed[0].Message | Should -Match 'delete right'
        Get-DbBackupLog -Repository $repo -Database $db | Where-Object Action -In 'Pruned', 'Removed' | Should -BeNullOrEmpty
    }

    It 'refuses Remove-DbBackup up front naming the delete right, and the backup stays' {
        $err = { Remove-DbBackup -Id $second.Id -Force -Confirm:$false -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        Assert-RightMissing $err 'Remove-DbBackup' 'delete'
        (Get-DbBackup -Repository $repo -Id $second.Id).State | Should -Be 'Succeeded'
        (Test-DbBackup -Id $second.Id -Repository $repo).Passed | Should -BeTrue
    }
}

Describe 'A full SAS (racwdl) through the cmdlets' -Skip:$NoAzurite {
    BeforeAll {
        $case = New-RightsCase
        $repo = $case.Repo; $db = $case.Db; $target = $case.Target
        Use-Sas $case.Full
    }
    AfterAll {
        $env:AZURE_STORAGE_SAS_TOKEN = $null; $env:AZURE_STORAGE_ACCOUNT = $null
        Invoke-Pg 'postgres' "DROP DATABASE IF EXISTS $db WITH (FORCE);" | Out-Null
    }

    It 'backs up, verifies, saves, copies out by filter (once), and removes, leaving no backup behind' {
        $backup = Start-DbBackup @target -Database $db -Repository $repo -Wait -ErrorAction Stop
        $backup.State | Should -Be 'Succeeded'
        (Test-DbBackup -Id $backup.Id -Repository $repo).Passed | Should -BeTrue
        Save-DbBackup -Id $backup.Id -Path (Join-Path $TestDrive 'full.dbbackup') -Repository $repo
        $local = Join-Path $TestDrive 'offsite'
        # By filter (the newest backup of the database), then again: the second copy is skipped.
        (Copy-DbBackup -Database $db -First 1 -Repository $repo -Destination $local -Confirm:$false -ErrorAction Stop).Id | Should -Be $backup.Id
        $again = Copy-DbBackup -Database $db -First 1 -Repository $repo -Destination $local -Confirm:$false -Verbose -ErrorAction Stop 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -Match 'already in .*; skipped'
        Remove-DbBackup -Id $backup.Id -Force -Confirm:$false -Repository $repo -ErrorAction Stop
        Get-DbBackup -Repository $repo -Database $db | Should -BeNullOrEmpty
        @(Get-DbBackupLog -Repository $repo -Database $db).Action | Should -Contain 'Removed'
        (Get-DbBackup -Repository $local -Id $backup.Id).State | Should -Be 'Succeeded'
    }
}
