#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The DbBackup cmdlets end to end, against the real PostgreSQL and MariaDB servers (same environment
# variables as the xUnit tests: DBBACKUP_TEST_PG_* and DBBACKUP_TEST_MYSQL_*). Run from build.ps1 -Test
# in a fresh pwsh, or: pwsh -NoProfile -Command "Invoke-Pester ./tests/pester -Output Detailed"

BeforeAll {
    $script:ModuleManifest = Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path | Select-Object -ExpandProperty Path
    Import-Module $script:ModuleManifest -Force -ErrorAction Stop

    function script:Env([string] $Name, [string] $Default) { if ([string]::IsNullOrEmpty(($v = [Environment]::GetEnvironmentVariable($Name)))) { $Default } else { $v } }

    $script:Servers = @{
        PostgreSql = @{
            Server = Env 'DBBACKUP_TEST_PG_HOST' '127.0.0.1'; Port = [int](Env 'DBBACKUP_TEST_PG_PORT' '5432')
            User = Env 'DBBACKUP_TEST_PG_USER' 'dbbackup'; Password = Env 'DBBACKUP_TEST_PG_PASSWORD' 'dbbackup-test-pw'
        }
        MySql = @{
            Server = Env 'DBBACKUP_TEST_MYSQL_HOST' '127.0.0.1'; Port = [int](Env 'DBBACKUP_TEST_MYSQL_PORT' '3306')
            User = Env 'DBBACKUP_TEST_MYSQL_USER' 'dbbackup'; Password = Env 'DBBACKUP_TEST_MYSQL_PASSWORD' 'dbbackup-test-pw'
        }
    }

    function script:Get-TestCredential([string] $Engine) {
        $s = $script:Servers[$Engine]
        [pscredential]::new($s.User, (ConvertTo-SecureString $s.Password -AsPlainText -Force))
    }

    # Target parameters for splatting: -Engine -Server -Port -Credential (the database is added per test).
    function script:Get-Target([string] $Engine) {
        $s = $script:Servers[$Engine]
        @{ Engine = $Engine; Server = $s.Server; Port = $s.Port; Credential = (Get-TestCredential $Engine) }
    }

    function script:New-DatabaseName([string] $Prefix) { '{0}_{1}' -f $Prefix, ([guid]::NewGuid().ToString('N').Substring(0, 12)) }

    # SQL through the stock clients; the password goes through the environment, never argv.
    function script:Invoke-Sql([string] $Engine, [string] $Database, [string] $Sql) {
        $s = $script:Servers[$Engine]
        if ($Engine -eq 'PostgreSql') {
            $env:PGPASSWORD = $s.Password
            try { $out = $Sql | & psql -X -q -A -t -v ON_ERROR_STOP=1 -h $s.Server -p $s.Port -U $s.User -d $Database 2>&1 }
            finally { Remove-Item Env:PGPASSWORD }
        }
        else {
            $env:MYSQL_PWD = $s.Password
            try { $out = $Sql | & mariadb --batch --skip-column-names -h $s.Server -P $s.Port -u $s.User $Database 2>&1 }
            finally { Remove-Item Env:MYSQL_PWD }
        }
        if ($LASTEXITCODE -ne 0) { throw "SQL failed on $Engine/${Database}: $out" }
        $out
    }

    function script:New-TestDatabase([string] $Engine, [string] $Name) {
        $admin = if ($Engine -eq 'PostgreSql') { 'postgres' } else { 'mysql' }
        Invoke-Sql $Engine $admin "CREATE DATABASE $Name;" | Out-Null
        $create = if ($Engine -eq 'PostgreSql') {
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), note text, created timestamptz NOT NULL DEFAULT now());"
        } else {
            "CREATE TABLE items (id int PRIMARY KEY, name varchar(100), price decimal(10,2), note text, created datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) CHARACTER SET utf8mb4;"
        }
        Invoke-Sql $Engine $Name $create | Out-Null
        Invoke-Sql $Engine $Name "INSERT INTO items (id, name, price, note) VALUES (1, 'Käse ☕', 12.50, NULL), (2, 'O''Brien', 0.01, 'tab`there'), (3, '', 99999999.99, 'line');" | Out-Null
    }

    function script:Remove-TestDatabase([string] $Engine, [string] $Name) {
        $admin = if ($Engine -eq 'PostgreSql') { 'postgres' } else { 'mysql' }
        $sql = if ($Engine -eq 'PostgreSql') { "DROP DATABASE IF EXISTS $Name WITH (FORCE);" } else { "DROP DATABASE IF EXISTS $Name;" }
        try { Invoke-Sql $Engine $admin $sql | Out-Null } catch { Write-Warning $_ }
    }

    # The table's full content as text, ordered: what a round trip must reproduce exactly.
    function script:Get-Items([string] $Engine, [string] $Database) {
        $sql = if ($Engine -eq 'PostgreSql') { "SELECT id, name, price, coalesce(note, '<null>'), created FROM items ORDER BY id;" }
               else { "SELECT id, name, price, coalesce(note, '<null>'), created FROM items ORDER BY id;" }
        (Invoke-Sql $Engine $Database $sql) -join "`n"
    }

    function script:Test-DatabaseExists([string] $Engine, [string] $Name) {
        if ($Engine -eq 'PostgreSql') { (Invoke-Sql $Engine 'postgres' "SELECT count(*) FROM pg_database WHERE datname = '$Name';") -eq '1' }
        else { (Invoke-Sql $Engine 'mysql' "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '$Name';") -eq '1' }
    }
}

AfterAll {
    Remove-Module DbBackup -Force -ErrorAction SilentlyContinue
}

Describe 'Module' {
    It 'exports the twenty-three cmdlets and resolves the model types in scripts' {
        (Get-Command -Module DbBackup).Count | Should -Be 23
        [DbBackup.Model.BackupRecord].FullName | Should -Be 'DbBackup.Model.BackupRecord'
    }

    It 'loads the engine and Npgsql only into the private load context' {
        $repo = Join-Path $TestDrive 'alc-repo'
        Get-DbBackupRepository -Repository $repo | Out-Null   # forces the engine to load
        $default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name
        $default | Should -Not -Contain 'DbBackup.Engine'
        $default | Should -Not -Contain 'Npgsql'
        $private = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'DbBackup.Dependencies'
        $private.Assemblies.GetName().Name | Should -Contain 'DbBackup.Engine'
        $private.Assemblies.GetName().Name | Should -Not -Contain 'DbBackup.Model'
    }

    It 'loads the Azure and AWS SDKs only into the private load context' {
        Get-DbBackupRepository -Repository (Join-Path $TestDrive 'alc-sdk') | Out-Null   # loads the engine
        $private = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'DbBackup.Dependencies'
        $engine = $private.Assemblies | Where-Object { $_.GetName().Name -eq 'DbBackup.Engine' }
        $address = $engine.GetType('DbBackup.Engine.Repository.Storage.RepositoryAddress').GetMethod('Parse', [type[]] @([string]))
        $open = $engine.GetType('DbBackup.Engine.Repository.Storage.StoreFactory').GetMethod('Open', [type[]] @($address.ReturnType, [Func[string, string]]))
        # Opening builds the SDK clients (no request is sent), which loads Azure.Core, MSAL and AWSSDK.Core.
        # (Azure.Identity 1.21 only forwards to Azure.Core, where DefaultAzureCredential now lives.)
        $azure = $open.Invoke($null, @($address.Invoke($null, @('azure://backups/x')), [Func[string, string]] { param($n) if ($n -eq 'AZURE_STORAGE_ACCOUNT') { 'devstoreaccount1' } }))
        $s3 = $open.Invoke($null, @($address.Invoke($null, @('s3://backups/x')), [Func[string, string]] { param($n) @{ AWS_ACCESS_KEY_ID = 'k'; AWS_SECRET_ACCESS_KEY = 's'; AWS_REGION = 'us-east-1' }[$n] }))
        $azure.Location | Should -Be 'azure://backups/x/'
        $s3.Location | Should -Be 's3://backups/x/'
        $loaded = $private.Assemblies.GetName().Name
        foreach ($name in 'Azure.Storage.Blobs', 'Azure.Core', 'Microsoft.Identity.Client', 'AWSSDK.S3', 'AWSSDK.Core') { $loaded | Should -Contain $name }
        $default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name
        foreach ($name in 'Azure.Storage.Blobs', 'Azure.Core', 'Microsoft.Identity.Client', 'AWSSDK.S3', 'AWSSDK.Core') { $default | Should -Not -Contain $name }
    }

    It 'reading a repository that does not exist creates nothing' {
        $repo = Join-Path $TestDrive 'never-created'
        $info = Get-DbBackupRepository -Repository $repo
        $info.BackupCount | Should -Be 0
        @(Get-DbBackup -Repository $repo -WarningVariable warnings -WarningAction SilentlyContinue).Count | Should -Be 0
        $warnings.Count | Should -Be 1     # a mistyped -Repository is said, not silently empty
        "$warnings" | Should -BeLike "*$repo*does not exist*"
        Test-Path $repo | Should -BeFalse
    }
}

Describe 'Lifecycle on <Engine>' -ForEach @(@{ Engine = 'PostgreSql' }, @{ Engine = 'MySql' }) {
    BeforeAll {
        $repo = Join-Path $TestDrive "repo-$Engine"
        $db = New-DatabaseName 'pslife'
        New-TestDatabase $Engine $db
        $original = Get-Items $Engine $db
        $target = Get-Target $Engine
        $started = Start-DbBackup @target -Database $db -Repository $repo -Label @{ suite = 'pester'; engine = $Engine } -Note 'pester lifecycle'
        $backup = $started | Wait-DbBackup -Repository $repo -Timeout 180
        $restoredCopies = [System.Collections.Generic.List[string]]::new()
    }
    AfterAll {
        Remove-TestDatabase $Engine $db
        foreach ($copy in $restoredCopies) { Remove-TestDatabase $Engine $copy }
    }

    It 'Start-DbBackup returns a pending record at once and Wait-DbBackup the succeeded one' {
        $started | Should -BeOfType ([DbBackup.Model.BackupRecord])
        $started.State | Should -BeIn @('Pending', 'Running')
        $started.Database | Should -Be $db
        $backup.Id | Should -Be $started.Id
        $backup.State | Should -Be 'Succeeded'
        $backup.SizeBytes | Should -BeGreaterThan 0
        $backup.Labels['suite'] | Should -Be 'pester'
        $backup.Note | Should -Be 'pester lifecycle'
        ($backup.TableStats | Where-Object Name -EQ 'items').Rows | Should -Be 3
    }

    It 'the default views tell backups apart in 80 columns and every header is a property' {
        $narrow = $backup | Format-Table | Out-String -Width 80
        $narrow | Should -Match ([regex]::Escape($backup.Id))            # whole, never cut
        $narrow | Should -Match "\b$Engine\b"
        $narrow | Should -Match ([regex]::Escape("$($backup.Server):$($backup.Port)"))
        $header = ($narrow -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1) -split '\s+' | Where-Object { $_ }
        foreach ($h in $header) { $backup.PSObject.Properties.Name | Should -Contain $h }
        $wide = ($backup | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1
        foreach ($h in ($wide -split '\s+' | Where-Object { $_ })) { $backup.PSObject.Properties.Name | Should -Contain $h }
        "$backup" | Should -Be "$($backup.Id) Succeeded $Engine $($backup.Server):$($backup.Port)/$db"
        $list = $backup | Format-List | Out-String
        $list | Should -Match '(?m)^Id\s*: '
        $list | Should -Match 'suite=pester'
    }

    It 'ConvertTo-Json writes enum names as the CLI does, and Export-Csv readable labels' {
        $json = $backup | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Engine | Should -Be $Engine
        $json.State | Should -Be 'Succeeded'
        $json.Kind | Should -Be 'Manual'
        $json.Compression | Should -BeOfType ([string])
        $json.Labels.suite | Should -Be 'pester'                 # still an object, not a string
        $csv = $backup | ConvertTo-Csv | ConvertFrom-Csv
        $csv.Labels | Should -Be "engine=$Engine; suite=pester"
        $csv.State | Should -Be 'Succeeded'
    }

    It 'Get-DbBackup finds it by database, label and id, and by Id from the pipeline' {
        (Get-DbBackup -Repository $repo -Database $db).Id | Should -Be @($backup.Id)
        (Get-DbBackup -Repository $repo -Label @{ suite = 'pester'; engine = $Engine }).Id | Should -Contain $backup.Id
        @(Get-DbBackup -Repository $repo -Label @{ suite = 'other' }).Count | Should -Be 0
        ($backup | Get-DbBackup -Repository $repo).Id | Should -Be $backup.Id
        ($backup | Get-DbBackupStatus -Repository $repo).State | Should -Be 'Succeeded'
        # Filters combine, and the loopback spellings name one server.
        $port = $script:Servers[$Engine].Port
        (Get-DbBackup -Repository $repo -Engine $Engine -Server localhost -Port $port -Database $db -Kind Manual).Id | Should -Be @($backup.Id)
        (Get-DbBackup -Repository $repo -Server '::1' -Database $db).Id | Should -Be @($backup.Id)
        @(Get-DbBackup -Repository $repo -Server localhost -Port 1 -Database $db).Count | Should -Be 0
        @(Get-DbBackup -Repository $repo -Database $db -Kind SafetyBeforeRestore).Count | Should -Be 0
        @(Get-DbBackup -Repository $repo -Engine ($Engine -eq 'MySql' ? 'PostgreSql' : 'MySql') -Database $db).Count | Should -Be 0
    }

    It 'Get-DbBackupStatus by target reports the last backup and nothing running' {
        $s = $script:Servers[$Engine]
        $status = Get-DbBackupStatus -Engine $Engine -Server $s.Server -Port $s.Port -Database $db -Repository $repo
        $status | Should -BeOfType ([DbBackup.Model.StatusReport])
        $status.Running | Should -BeFalse
        $status.Backup.Id | Should -Be $backup.Id
        $status.Backup.Succeeded | Should -BeTrue
        # The table names the server as host:port, as Get-DbBackup and `dbbackup status` do, and the
        # last backup's state and end time are not cut.
        $table = $status | Format-Table | Out-String -Width 120
        $table | Should -Match ([regex]::Escape("$($s.Server):$($s.Port)"))
        $table | Should -Match ([regex]::Escape("Succeeded $($status.Backup.EndDate.ToLocalTime().ToString('yyyy-MM-dd HH:mm'))"))
    }

    It 'saves through the pipeline: Get-DbBackup -Database -First 1 | Save-DbBackup -Path' {
        $bundle = Join-Path $TestDrive "$Engine-app.dbbackup"
        $file = Get-DbBackup -Repository $repo -Database $db -First 1 | Save-DbBackup -Path $bundle -Repository $repo -PassThru
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $bundle
        $file.PSPath | Should -Be (Get-Item $bundle).PSPath       # formats as Get-Item's output does
        $file.Length | Should -BeGreaterThan 0
        { $backup | Save-DbBackup -Path $bundle -Repository $repo -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,DbBackup.PowerShell.SaveDbBackupCommand'
        $backup | Save-DbBackup -Path $bundle -Repository $repo -Force
        (Get-Item $bundle).Length | Should -Be $file.Length
    }

    It 'imports bundles from Get-ChildItem into another repository' {
        $bundleDir = Join-Path $TestDrive "bundles-$Engine"
        New-Item -ItemType Directory $bundleDir | Out-Null
        $backup | Save-DbBackup -Path $bundleDir -Repository $repo
        $other = Join-Path $TestDrive "imported-$Engine"
        $imported = Get-ChildItem (Join-Path $bundleDir '*.dbbackup') | Import-DbBackup -Repository $other
        $imported.Kind | Should -Be 'Imported'
        $imported.Database | Should -Be $db
        $imported.Sha256 | Should -Be $backup.Sha256
        (Test-DbBackup -Id $imported.Id -Repository $other).Passed | Should -BeTrue
    }

    It 'Copy-DbBackup copies piped records into another repository, keeping id, labels and note; a second copy is skipped' {
        $dest = Join-Path $TestDrive "copied-$Engine"
        $backup | Copy-DbBackup -Repository $repo -Destination $dest -WhatIf
        Test-Path $dest | Should -BeFalse
        $copied = Get-DbBackup -Repository $repo -Database $db -First 1 | Copy-DbBackup -Repository $repo -Destination $dest
        $copied | Should -BeOfType ([DbBackup.Model.BackupRecord])
        $copied.Id | Should -Be $backup.Id
        $copied.Kind | Should -Be 'Manual'
        $copied.Labels['suite'] | Should -Be 'pester'
        $copied.Note | Should -Be 'pester lifecycle'
        (Test-DbBackup -Id $copied.Id -Repository $dest).Passed | Should -BeTrue
        $again = $backup | Copy-DbBackup -Repository $repo -Destination $dest -Verbose 4>&1
        @($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'already in .*; skipped' }).Count | Should -Be 1
        ($again | Where-Object { $_ -is [DbBackup.Model.BackupRecord] }).Id | Should -Be $backup.Id
        @(Get-DbBackupLog -Repository $dest | Where-Object Action -EQ 'Copied').Count | Should -Be 1
        Copy-DbBackup -Repository $repo -Id $backup.Id -Destination $repo -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -Be 'CopySameRepository,DbBackup.PowerShell.CopyDbBackupCommand'
    }

    It 'Test-DbBackup verifies checksums, and with -Restore compares every table' {
        $plain = $backup | Test-DbBackup -Repository $repo
        $plain | Should -BeOfType ([DbBackup.Model.VerificationResult])
        $plain.Passed | Should -BeTrue
        $plain.FilesChecked | Should -Be $backup.Files.Count
        $deep = $backup | Test-DbBackup -Restore -Credential (Get-TestCredential $Engine) -Repository $repo
        $deep.Passed | Should -BeTrue
        $deep.Restored | Should -BeTrue
        $deep.TablesCompared | Should -BeGreaterThan 0
        $deep.TablesMatched | Should -Be $deep.TablesCompared
        Test-DatabaseExists $Engine $deep.ScratchDatabase | Should -BeFalse
    }

    It 'Test-DbBackup -Latest tests the newest good backup of each matching database, as Test-DbaLastBackup does' {
        $newer = Start-DbBackup @target -Database $db -Repository $repo -Wait
        $latest = @(Test-DbBackup -Latest -Engine $Engine -Database ($db.Substring(0, 8) + '*') -Repository $repo)
        $latest.Count | Should -Be 1
        $latest[0].BackupId | Should -Be $newer.Id
        $latest[0].Passed | Should -BeTrue
        $none = @(Test-DbBackup -Latest -Database 'no_such_db_*' -Repository $repo -WarningVariable w -WarningAction SilentlyContinue)
        $none.Count | Should -Be 0
        "$w" | Should -Match 'nothing was tested'
        $newer | Remove-DbBackup -Repository $repo -Confirm:$false
    }

    It 'Restore-DbBackup -Force -Wait puts back exactly the backed-up data and keeps a safety backup' {
        Invoke-Sql $Engine $db "DELETE FROM items WHERE id = 1; UPDATE items SET name = 'changed' WHERE id = 2; INSERT INTO items (id, name) VALUES (4, 'new');" | Out-Null
        $changed = Get-Items $Engine $db
        $restore = $backup | Restore-DbBackup -Credential (Get-TestCredential $Engine) -Force -Wait -Repository $repo
        $restore | Should -BeOfType ([DbBackup.Model.RestoreRecord])
        $restore.State | Should -Be 'Succeeded'
        Get-Items $Engine $db | Should -Be $original
        $restore.SafetyBackupId | Should -Not -BeNullOrEmpty
        $safety = Get-DbBackup -Id $restore.SafetyBackupId -Repository $repo
        $safety.Kind | Should -Be 'SafetyBeforeRestore'
        # The safety backup holds the data as it was just before the restore.
        $copy = New-DatabaseName 'pssafety'
        $restoredCopies.Add($copy)
        $safetyRestore = $safety | Restore-DbBackup -TargetDatabase $copy -Credential (Get-TestCredential $Engine) -Confirm:$false -Wait -Repository $repo
        $safetyRestore.State | Should -Be 'Succeeded'
        Get-Items $Engine $copy | Should -Be $changed
    }

    It 'the confirmation is the consent: -Confirm:$false replaces without -Force, as an answered prompt does' {
        Invoke-Sql $Engine $db "UPDATE items SET name = 'changed again' WHERE id = 3;" | Out-Null
        $restore = $backup | Restore-DbBackup -Credential (Get-TestCredential $Engine) -Confirm:$false -Wait -Repository $repo
        $restore.State | Should -Be 'Succeeded'
        Get-Items $Engine $db | Should -Be $original
    }

    It 'Restore-DbBackup -Path restores a bundle into a new database' {
        $bundle = Join-Path $TestDrive "$Engine-path.dbbackup"
        $backup | Save-DbBackup -LiteralPath $bundle -Repository $repo
        $copy = New-DatabaseName 'psbundle'
        $restoredCopies.Add($copy)
        $s = $script:Servers[$Engine]
        $fresh = Join-Path $TestDrive "fresh-$Engine"
        $r = Restore-DbBackup -Path $bundle -Engine $Engine -Server $s.Server -Port $s.Port -Credential (Get-TestCredential $Engine) -TargetDatabase $copy -Confirm:$false -Wait -Repository $fresh
        $r.State | Should -Be 'Succeeded'
        Get-Items $Engine $copy | Should -Be $original
    }

    It 'Restore-DbBackup -Path takes the engine from the bundle when -Server names the host, as -Id does' {
        $bundle = Join-Path $TestDrive "$Engine-noengine.dbbackup"
        $backup | Save-DbBackup -LiteralPath $bundle -Repository $repo
        $copy = New-DatabaseName 'psbundlene'
        $restoredCopies.Add($copy)
        $s = $script:Servers[$Engine]
        $r = Restore-DbBackup -Path $bundle -Server $s.Server -Port $s.Port -Credential (Get-TestCredential $Engine) -TargetDatabase $copy -Confirm:$false -Wait -Repository (Join-Path $TestDrive "noengine-$Engine")
        $r.State | Should -Be 'Succeeded'
        $r.Engine | Should -Be $Engine
        Get-Items $Engine $copy | Should -Be $original
    }

    It 'Restore-DbBackup -Path without -Engine, -Server or -Port restores to the engine, server and port of the bundle''s manifest' {
        $bundle = Join-Path $TestDrive "$Engine-defaults.dbbackup"
        $backup | Save-DbBackup -LiteralPath $bundle -Repository $repo
        $copy = New-DatabaseName 'psbundledef'
        $restoredCopies.Add($copy)
        # A repository that has never seen the backup: only the bundle's manifest can name the server.
        $r = Restore-DbBackup -Path $bundle -Credential (Get-TestCredential $Engine) -TargetDatabase $copy -Confirm:$false -Wait -Repository (Join-Path $TestDrive "defaults-$Engine")
        $r.State | Should -Be 'Succeeded'
        $r.Engine | Should -Be $backup.Engine
        $r.Server | Should -Be $backup.Server
        $r.Port | Should -Be $backup.Port
        Get-Items $Engine $copy | Should -Be $original
    }

    It 'Restore-DbBackup -Engine wins over the backup''s engine and reaches that engine''s default port, which refuses the mismatch' {
        $other = if ($Engine -eq 'PostgreSql') { 'MySql' } else { 'PostgreSql' }
        $err = { $backup | Restore-DbBackup -Engine $other -Credential (Get-TestCredential $other) -TargetDatabase (New-DatabaseName 'psother') -Confirm:$false -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'EngineMismatch,*'
    }

    It 'Get-DbBackupRestore lists the restore history: into which database, from which, by backup' {
        $into = @(Get-DbBackupRestore -Repository $repo -Database $db)
        $into.Count | Should -BeGreaterOrEqual 2              # the -Force and the -Confirm:$false restores
        $into | ForEach-Object { $_.Database | Should -Be $db }
        $into[0].CreatedAt | Should -BeGreaterOrEqual $into[-1].CreatedAt
        $copies = @(Get-DbBackupRestore -Repository $repo -SourceDatabase $db | Where-Object Database -NE $db)
        $copies.Count | Should -BeGreaterOrEqual 1           # the copies made with -TargetDatabase
        ($backup | Get-DbBackupRestore -Repository $repo).BackupId | Sort-Object -Unique | Should -Be $backup.Id
        ($into[0] | Format-Table | Out-String -Width 80) | Should -Match ([regex]::Escape($into[0].Id))   # whole in 80 columns
        $one = $into[0] | Get-DbBackupRestore -Repository $repo
        $one.Id | Should -Be $into[0].Id
        (Get-DbBackupStatus -Engine $Engine -Server localhost -Port $script:Servers[$Engine].Port -Database $db -Repository $repo).Restore.Id | Should -Be $into[0].Id
        $errors = $null
        Get-DbBackupRestore -Id 'rs-20000101000000000-aaaaaa' -Repository $repo -ErrorAction SilentlyContinue -ErrorVariable errors
        $errors[0].FullyQualifiedErrorId | Should -Be 'RestoreNotFound,DbBackup.PowerShell.GetDbBackupRestoreCommand'
    }

    It 'Get-DbBackupLog shows the lifecycle for the database, newest first' {
        $entries = Get-DbBackupLog -Database $db -Repository $repo
        $entries | Should -Not -BeNullOrEmpty
        $entries[0] | Should -BeOfType ([DbBackup.Model.ActivityEntry])
        $entries.Action | Should -Contain 'BackupRequested'
        $entries.Action | Should -Contain 'BackupSucceeded'
        $times = $entries.Time
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i - 1] | Should -BeGreaterOrEqual $times[$i] }
        ($backup | Get-DbBackupLog -Repository $repo).Id | Select-Object -Unique | Should -Be $backup.Id
    }

    It 'Get-DbBackupLog''s default table fits 80 and 120 columns and shows every message whole' {
        $entries = Get-DbBackupLog -Database $db -Repository $repo
        foreach ($width in 80, 120) {
            $lines = ($entries | Format-Table | Out-String -Width $width) -split "`r?`n"
            foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $width }
            ($lines -join "`n") | Should -Not -Match '…'
            # The Message column's text, continuation lines included (other columns wrap too).
            $at = ($lines | Where-Object { $_ -match '^Time\s' } | Select-Object -First 1).IndexOf('Message')
            $squeezed = (($lines | Where-Object { $_.Length -gt $at } | ForEach-Object { $_.Substring($at) }) -join '') -replace '\s+', ''
            foreach ($e in $entries | Where-Object Message) { $squeezed | Should -Match ([regex]::Escape(($e.Message -replace '\s+', ''))) }
        }
    }

    It 'Remove-DbBackup deletes a backup; the last good one of a target only with -Force' {
        $lonelyRepo = Join-Path $TestDrive "remove-$Engine"
        $first = Start-DbBackup @target -Database $db -Repository $lonelyRepo -Name 'first' -Wait
        $second = Start-DbBackup @target -Database $db -Repository $lonelyRepo -Name 'second' -Wait
        $first.State, $second.State | Should -Be @('Succeeded', 'Succeeded')

        $removed = $first | Remove-DbBackup -Repository $lonelyRepo -Confirm:$false -PassThru
        $removed.Id | Should -Be $first.Id
        { Get-DbBackup -Id $first.Id -Repository $lonelyRepo -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupNotFound,DbBackup.PowerShell.GetDbBackupCommand'
        Test-Path (Join-Path $lonelyRepo "backups/$($first.Id)") | Should -BeFalse

        $err = { $second | Remove-DbBackup -Repository $lonelyRepo -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'LastGoodBackup,DbBackup.PowerShell.RemoveDbBackupCommand' -PassThru
        # In the caller's language: PowerShell's -Force, not the CLI's --force.
        "$err" | Should -Match '(?<![-\w])-Force\b'
        "$err" | Should -Not -Match '--force'
        (Get-DbBackup -Id $second.Id -Repository $lonelyRepo).State | Should -Be 'Succeeded'
        $second | Remove-DbBackup -Force -Repository $lonelyRepo -Confirm:$false
        @(Get-DbBackup -Repository $lonelyRepo).Count | Should -Be 0
    }

    It 'Stop-DbBackup on a finished backup changes nothing and -PassThru returns its record' {
        $stopped = $backup | Stop-DbBackup -Repository $repo -Confirm:$false -PassThru
        $stopped.Id | Should -Be $backup.Id
        $stopped.State | Should -Be 'Succeeded'
        (Get-DbBackup -Id $backup.Id -Repository $repo).State | Should -Be 'Succeeded'
    }
}

Describe 'Encryption at rest on <Engine>' -ForEach @(@{ Engine = 'PostgreSql' }, @{ Engine = 'MySql' }) {
    BeforeAll {
        $repo = Join-Path $TestDrive "crypt-$Engine"
        $db = New-DatabaseName 'pscrypt'
        New-TestDatabase $Engine $db
        $target = Get-Target $Engine
        $copies = [System.Collections.Generic.List[string]]::new()
        $key = [Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
        $env:DBBACKUP_ENCRYPTION_KEY = $key
        Set-DbBackupRepository -Encryption Required -Repository $repo -Confirm:$false
        $backup = Start-DbBackup @target -Database $db -Repository $repo -Wait
    }
    AfterAll {
        Remove-Item Env:DBBACKUP_ENCRYPTION_KEY -ErrorAction SilentlyContinue
        Remove-TestDatabase $Engine $db
        foreach ($copy in $copies) { Remove-TestDatabase $Engine $copy }
    }

    It 'records the key id, never the key, and restores the same rows with the key' {
        $backup.State | Should -Be 'Succeeded'
        $backup.Encryption.KeyId | Should -Match '^[0-9a-f]{16}$'
        (Get-DbBackupRepository -Repository $repo).Settings.EncryptionKeyId | Should -Be $backup.Encryption.KeyId
        Get-ChildItem -Recurse -File $repo | Select-String -SimpleMatch $key | Should -BeNullOrEmpty
        $copy = New-DatabaseName 'pscrypt_to'
        $copies.Add($copy)
        $r = $backup | Restore-DbBackup -TargetDatabase $copy -Credential $target.Credential -Confirm:$false -Wait -Repository $repo
        $r.State | Should -Be 'Succeeded'
        Get-Items $Engine $copy | Should -Be (Get-Items $Engine $db)
    }

    It 'refuses a restore without the key or with another key before the target is touched' {
        $copy = New-DatabaseName 'pscrypt_no'
        $copies.Add($copy)
        try {
            Remove-Item Env:DBBACKUP_ENCRYPTION_KEY
            $err = { $backup | Restore-DbBackup -TargetDatabase $copy -Credential $target.Credential -Confirm:$false -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'EncryptionKeyMissing,DbBackup.PowerShell.RestoreDbBackupCommand'
            $err.Exception.Message | Should -Match $backup.Encryption.KeyId
            $env:DBBACKUP_ENCRYPTION_KEY = [Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
            $err = { $backup | Restore-DbBackup -TargetDatabase $copy -Credential $target.Credential -Confirm:$false -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'EncryptionKeyMismatch,DbBackup.PowerShell.RestoreDbBackupCommand'
            $err.Exception.Message | Should -Not -Match ([regex]::Escape($env:DBBACKUP_ENCRYPTION_KEY))
            { Start-DbBackup @target -Database $db -Repository $repo -ErrorAction Stop } | Should -Throw -ErrorId 'EncryptionKeyMismatch,DbBackup.PowerShell.StartDbBackupCommand'
        }
        finally { $env:DBBACKUP_ENCRYPTION_KEY = $key }
        Test-DatabaseExists $Engine $copy | Should -BeFalse
        @(Get-DbBackupRestore -Repository $repo -Id $backup.Id).Count | Should -Be 1
    }
}

Describe 'Many databases per call, as Backup-DbaDatabase takes them' {
    BeforeAll {
        $repo = Join-Path $TestDrive 'repo-many'
        $prefix = New-DatabaseName 'psmany'
        $names = 'a', 'b', 'skip' | ForEach-Object { "${prefix}_$_" }
        foreach ($n in $names) { New-TestDatabase 'PostgreSql' $n; Invoke-Sql 'PostgreSql' $n "UPDATE items SET note = '$n' WHERE id = 1;" | Out-Null }
        $target = Get-Target 'PostgreSql'
    }
    AfterAll { foreach ($n in $names) { Remove-TestDatabase 'PostgreSql' $n } }

    It 'a wildcard with -ExcludeDatabase starts one backup per matching database, each holding its own data' {
        $records = @(Start-DbBackup @target -Database "${prefix}_*" -ExcludeDatabase '*_skip' -ThrottleLimit 1 -Repository $repo -Wait)
        $records.Count | Should -Be 2
        ($records.Database | Sort-Object) | Should -Be @("${prefix}_a", "${prefix}_b")
        $records.State | Sort-Object -Unique | Should -Be 'Succeeded'
        foreach ($r in $records) {
            $copy = New-DatabaseName 'psmanycopy'
            try {
                ($r | Restore-DbBackup -TargetDatabase $copy -Credential (Get-TestCredential 'PostgreSql') -Confirm:$false -Wait -Repository $repo).State | Should -Be 'Succeeded'
                Invoke-Sql 'PostgreSql' $copy 'SELECT note FROM items WHERE id = 1;' | Should -Be $r.Database
            }
            finally { Remove-TestDatabase 'PostgreSql' $copy }
        }
        (Get-DbBackup -Repository $repo -Database "${prefix}_a", "${prefix}_b").Count | Should -Be 2
        @(Get-DbBackup -Repository $repo -Database '*_skip').Count | Should -Be 0
    }

    It 'names from the pipeline start one backup each; a missing one is a non-terminating error and the others go on' {
        $errors = $null
        $records = @("${prefix}_a", "${prefix}_nosuchdb", "${prefix}_b" | Start-DbBackup @target -Repository $repo -ErrorVariable errors -ErrorAction SilentlyContinue)
        $records.Count | Should -Be 2
        $records.Database | Should -Be @("${prefix}_a", "${prefix}_b")
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
        "$($errors[0].TargetObject)" | Should -Be "${prefix}_nosuchdb"
        $records | Wait-DbBackup -Repository $repo -Timeout 180 | ForEach-Object { $_.State | Should -Be 'Succeeded' }
    }

    It 'tab completion of -Database asks the typed server (respecting -Engine); -Id on Restore offers only Succeeded backups' {
        $script:completionCred = Get-TestCredential 'PostgreSql'
        $s = $script:Servers['PostgreSql']
        $line = "Start-DbBackup -Engine PostgreSql -Server $($s.Server) -Port $($s.Port) -Credential `$script:completionCred -Database ${prefix}_"
        $offered = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        ($offered | Sort-Object) | Should -Be @("${prefix}_a", "${prefix}_b", "${prefix}_skip")   # _skip has no backup: it came from the server
        # -Engine MySql: the PostgreSQL databases are not offered (the MariaDB server has none of that name).
        $mysql = $script:Servers['MySql']
        $line = "Start-DbBackup -Engine MySql -Server $($mysql.Server) -Port $($mysql.Port) -Database ${prefix}_"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches).Count | Should -Be 0

        # A failed backup (its worker killed mid-data) is in the repository, but Restore-DbBackup -Id
        # does not offer it; Remove-DbBackup does.
        $pause = Join-Path $TestDrive 'pause'
        New-Item -ItemType Directory $pause -Force | Out-Null
        $env:DBBACKUP_TEST_PAUSE_AT = 'backup:data'; $env:DBBACKUP_TEST_PAUSE_DIR = $pause
        try { $doomed = Start-DbBackup @target -Database "${prefix}_skip" -Repository $repo }
        finally { Remove-Item Env:DBBACKUP_TEST_PAUSE_AT, Env:DBBACKUP_TEST_PAUSE_DIR }
        $deadline = (Get-Date).AddSeconds(60)
        while (-not (Test-Path (Join-Path $pause 'backup:data.reached')) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Stop-Process -Id (Get-DbBackup -Id $doomed.Id -Repository $repo).WorkerProcessId -Force
        Start-Sleep -Milliseconds 500
        (Get-DbBackup -Id $doomed.Id -Repository $repo).State | Should -Be 'Failed'
        $line = "Restore-DbBackup -Repository '$repo' -Id bk-"
        $restoreIds = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $line = "Remove-DbBackup -Repository '$repo' -Id bk-"
        $removeIds = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $removeIds | Should -Contain $doomed.Id
        $restoreIds | Should -Not -Contain $doomed.Id
        $good = @(Get-DbBackup -Repository $repo -State Succeeded).Id
        ($restoreIds | Sort-Object) | Should -Be ($good | Sort-Object)
    }

    It 'a wildcard that matches nothing says so and starts nothing' {
        $before = @(Get-DbBackup -Repository $repo).Count
        { Start-DbBackup @target -Database "${prefix}_zz*" -Repository $repo -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoDatabaseMatches,DbBackup.PowerShell.StartDbBackupCommand'
        { Start-DbBackup @target -Repository $repo -ErrorAction Stop } |
            Should -Throw -ErrorId 'DatabaseRequired,DbBackup.PowerShell.StartDbBackupCommand'
        @(Get-DbBackup -Repository $repo).Count | Should -Be $before
    }
}

Describe '-WhatIf changes nothing' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'pswhatif'
        New-TestDatabase $engine $db
        $target = Get-Target $engine
        $repo = Join-Path $TestDrive 'whatif-repo'
        $backup = Start-DbBackup @target -Database $db -Repository $repo -Wait
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'Start-DbBackup and Set-DbBackupRepository -WhatIf do not even create the repository' {
        $missing = Join-Path $TestDrive 'whatif-missing'
        Start-DbBackup @target -Database $db -Repository $missing -WhatIf | Should -BeNullOrEmpty
        Set-DbBackupRepository -KeepLast 2 -Repository $missing -WhatIf
        Test-Path $missing | Should -BeFalse
    }

    It 'Start-DbBackup -WhatIf still validates the target and says what would fail, writing nothing' {
        $missing = Join-Path $TestDrive 'whatif-validate'
        $errors = $null
        $err = { Start-DbBackup @target -Database $db -Table 'no_such_table' -Repository $missing -WhatIf -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownTable,DbBackup.PowerShell.StartDbBackupCommand' -PassThru
        "$err" | Should -Match 'no_such_table'
        Start-DbBackup @target -Database "${db}_absent" -Repository $missing -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
        $bad = $target.Clone()
        $bad.Credential = [pscredential]::new($script:Servers[$engine].User, (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force))
        Start-DbBackup @bad -Database $db -Repository $missing -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        Start-DbBackup @target -Database $db -Repository $missing -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors.Count | Should -Be 0
        Test-Path $missing | Should -BeFalse
    }

    It 'Restore, Remove, Stop, Save and Set with -WhatIf leave repository and database untouched' {
        $before = Get-Items $engine $db
        Invoke-Sql $engine $db "INSERT INTO items (id, name) VALUES (10, 'after backup');" | Out-Null
        $expected = Get-Items $engine $db
        $files = { Get-ChildItem -Recurse -File $repo | ForEach-Object { '{0} {1}' -f $_.FullName, (Get-FileHash $_.FullName).Hash } }
        $snapshot = & $files

        $backup | Restore-DbBackup -Credential (Get-TestCredential $engine) -Force -Repository $repo -WhatIf
        $backup | Restore-DbBackup -Credential (Get-TestCredential $engine) -Repository $repo -WhatIf
        $backup | Remove-DbBackup -Force -Repository $repo -WhatIf
        $backup | Stop-DbBackup -Repository $repo -WhatIf
        $bundle = Join-Path $TestDrive 'whatif.dbbackup'
        $backup | Save-DbBackup -Path $bundle -Repository $repo -WhatIf
        Set-DbBackupRepository -KeepLast 1 -Repository $repo -WhatIf

        Test-Path $bundle | Should -BeFalse
        & $files | Should -Be $snapshot
        Get-Items $engine $db | Should -Be $expected
        $expected | Should -Not -Be $before
        (Get-DbBackupRepository -Repository $repo).Settings.KeepLast | Should -Not -Be 1
    }

    It 'Remove-DbBackup -WhatIf names the backup''s database and time, not only its id' {
        # What-if lines go to the host, so a child pwsh prints them to its stdout.
        $script = Join-Path $TestDrive 'whatif-remove.ps1'
        "Import-Module '$ModuleManifest'; Remove-DbBackup -Id '$($backup.Id)' -Repository '$repo' -WhatIf" | Set-Content $script
        $out = (& (Join-Path $PSHOME 'pwsh') -NoProfile -File $script) -join ' '
        $out | Should -Match ([regex]::Escape("$($backup.Id) (PostgreSql $($backup.Server):$($backup.Port)/$db, taken "))
        Get-DbBackup -Id $backup.Id -Repository $repo | Should -Not -BeNullOrEmpty
    }

    It 'Import-DbBackup -WhatIf registers nothing' {
        $realBundle = Join-Path $TestDrive 'whatif-real.dbbackup'
        $backup | Save-DbBackup -Path $realBundle -Repository $repo
        $otherRepo = Join-Path $TestDrive 'whatif-import-repo'
        Get-Item $realBundle | Import-DbBackup -Repository $otherRepo -WhatIf | Should -BeNullOrEmpty
        Test-Path $otherRepo | Should -BeFalse
        $count = @(Get-DbBackup -Repository $repo).Count
        Import-DbBackup -Path $realBundle -Repository $repo -WhatIf
        @(Get-DbBackup -Repository $repo).Count | Should -Be $count
    }
}

Describe 'Paging' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'pspage'
        New-TestDatabase $engine $db
        $target = Get-Target $engine
        $repo = Join-Path $TestDrive 'paging-repo'
        $ids = foreach ($n in 1..3) { (Start-DbBackup @target -Database $db -Name "page$n" -Repository $repo -Wait).Id }
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'Get-DbBackup honours -First, -Skip and -IncludeTotalCount, newest first' {
        (Get-DbBackup -Repository $repo).Name | Should -Be @('page3', 'page2', 'page1')
        (Get-DbBackup -Repository $repo -First 2).Name | Should -Be @('page3', 'page2')
        (Get-DbBackup -Repository $repo -Skip 1 -First 1).Name | Should -Be 'page2'
        $withTotal = Get-DbBackup -Repository $repo -First 1 -IncludeTotalCount
        [int]$withTotal[0] | Should -Be 3
        $withTotal[1].Name | Should -Be 'page3'
    }

    It 'Get-DbBackupLog pages the activity log' {
        $all = Get-DbBackupLog -Repository $repo
        $all.Count | Should -BeGreaterThan 3
        (Get-DbBackupLog -Repository $repo -First 2 | ForEach-Object { "$($_.Time.Ticks) $($_.Action) $($_.Id)" }) |
            Should -Be ($all | Select-Object -First 2 | ForEach-Object { "$($_.Time.Ticks) $($_.Action) $($_.Id)" })
        (Get-DbBackupLog -Repository $repo -Skip 2 -First 1).Action | Should -Be $all[2].Action
    }
}

Describe 'Errors carry stable FullyQualifiedErrorIds' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'pserr'
        New-TestDatabase $engine $db
        $target = Get-Target $engine
        $repo = Join-Path $TestDrive 'errors-repo'
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'an unknown table stops Start-DbBackup before anything is recorded' {
        { Start-DbBackup @target -Database $db -Table 'no_such_table' -Repository $repo } |
            Should -Throw -ErrorId 'UnknownTable,DbBackup.PowerShell.StartDbBackupCommand'
        @(Get-DbBackup -Repository $repo -Database $db).Count | Should -Be 0
    }

    It 'a connection string holding a password is refused' {
        $err = { Start-DbBackup -ConnectionString "postgresql://dbbackup:secret-in-argv@127.0.0.1/$db" -Repository $repo } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'PasswordInConnectionString,DbBackup.PowerShell.StartDbBackupCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Not -Match 'secret-in-argv'
    }

    It 'a wrong password is an authentication error' {
        $bad = [pscredential]::new($target.Credential.UserName, (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force))
        $err = { Start-DbBackup -Engine $engine -Server $target.Server -Port $target.Port -Credential $bad -Database $db -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.FullyQualifiedErrorId | Should -BeLike '*,DbBackup.PowerShell.StartDbBackupCommand'
    }

    It 'a failed target honours -ErrorAction and -ErrorVariable on a direct call, as Get-Item does' {
        # Port 1 on loopback: nothing listens there.
        $errors = $null
        $r = Start-DbBackup -Engine $engine -Server $target.Server -Port 1 -Credential $target.Credential -Database $db -Repository $repo -ErrorAction SilentlyContinue -ErrorVariable errors
        $r | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'ConnectionFailed,DbBackup.PowerShell.StartDbBackupCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $errors[0].Exception.GetType().Name | Should -Be 'DbBackupException'

        $caught = $null
        try { Restore-DbBackup -Id 'bk-20000101000000000-aaaaaa' @target -Repository $repo -Force -ErrorAction Stop }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'BackupNotFound,DbBackup.PowerShell.RestoreDbBackupCommand'
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        # The hint lists the repository that was given, in PowerShell's words (not 'dbbackup list', not the default repository).
        "$caught" | Should -BeLike "*Get-DbBackup -Repository '$repo'*"
        "$caught" | Should -Not -BeLike '*dbbackup list*'

        # Without -ErrorAction Stop the script goes on, as after Get-Item of a missing path.
        $after = & { Restore-DbBackup -Id 'bk-20000101000000000-aaaaaa' @target -Repository $repo -Force -ErrorAction SilentlyContinue; 'went on' }
        $after | Should -Be 'went on'
    }

    It 'a missing password is said as such, with the ways to give one' {
        $err = { Start-DbBackup -Engine $engine -Server $target.Server -Port $target.Port -Database $db -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'PasswordRequired,DbBackup.PowerShell.StartDbBackupCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Match 'No password was given'
        "$err" | Should -Match '-Credential'
        "$err" | Should -Not -Match '--password'
    }

    It 'an unknown id is a non-terminating ObjectNotFound per input' {
        $errors = $null
        $found = 'bk-20000101000000000-aaaaaa', 'bk-20000101000000000-bbbbbb' | ForEach-Object { [pscustomobject]@{ Id = $_ } } |
            Get-DbBackupStatus -Repository $repo -ErrorVariable errors -ErrorAction SilentlyContinue
        $found | Should -BeNullOrEmpty
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -Be 'BackupNotFound,DbBackup.PowerShell.GetDbBackupStatusCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'a connection-string user is not silently replaced by -Credential''s' {
        $other = [pscredential]::new('someone_else', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        $s = $script:Servers[$engine]
        $err = { Start-DbBackup -ConnectionString "postgresql://$($s.User)@$($s.Server):$($s.Port)/$db" -Credential $other -Repository $repo } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'UserConflict,DbBackup.PowerShell.StartDbBackupCommand'
        $err.Exception.Message | Should -Match 'someone_else'
    }

    It '-Label takes key=value strings as well as a hashtable' {
        $r = Start-DbBackup @target -Database $db -Label 'env=prod', 'team=ops' -Repository $repo -Wait
        $r.Labels['env'] | Should -Be 'prod'
        $r.Labels['team'] | Should -Be 'ops'
        (Get-DbBackup -Repository $repo -Label env=prod).Id | Should -Contain $r.Id
        { Start-DbBackup @target -Database $db -Label 'novalue' -Repository $repo } | Should -Throw -ExpectedMessage '*not key=value*'
    }

    It 'a connection string with -ConnectionString works without -Engine' {
        $s = $script:Servers[$engine]
        $r = Start-DbBackup -ConnectionString "postgresql://$($s.User)@$($s.Server):$($s.Port)/$db" -Credential (Get-TestCredential $engine) -Repository $repo -Wait
        $r.State | Should -Be 'Succeeded'
        $r.Engine | Should -Be $engine
        $r.Database | Should -Be $db
    }

    It 'a session that cannot answer the prompt is told to pass -Force or -Confirm:$false' {
        # This suite runs in pwsh -NonInteractive, where PowerShell cannot prompt.
        $b = Get-DbBackup -Repository $repo -State Succeeded -First 1
        $err = { Restore-DbBackup -Id $b.Id -Credential (Get-TestCredential $engine) -TargetDatabase (New-DatabaseName 'psnoprompt') -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ConfirmationUnavailable,DbBackup.PowerShell.RestoreDbBackupCommand'
        "$err" | Should -Match '-Confirm:\$false'
    }

    It 'a session without console input (stdin from /dev/null) gets the same advice, not PowerShell''s internal error' -Skip:(-not $IsLinux) {
        $b = Get-DbBackup -Repository $repo -State Succeeded -First 1
        if (-not $b) { $b = Start-DbBackup @target -Database $db -Repository $repo -Wait }
        $pwsh = Join-Path $PSHOME 'pwsh'
        $s = $script:Servers[$engine]
        $script = Join-Path $TestDrive 'noinput.ps1'
        @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('$($s.User)', (ConvertTo-SecureString `$env:PESTER_DBBACKUP_PW -AsPlainText -Force))
try { Restore-DbBackup -Id '$($b.Id)' -Credential `$cred -TargetDatabase '$(New-DatabaseName 'psnoinput')' -Repository '$repo' -ErrorAction Stop }
catch { "ERROR `$(`$_.FullyQualifiedErrorId) `$_" }
"@ | Set-Content $script
        $env:PESTER_DBBACKUP_PW = $s.Password
        try { $out = & bash -c "'$pwsh' -NoProfile -File '$script' < /dev/null" 2>&1 }
        finally { Remove-Item Env:PESTER_DBBACKUP_PW }
        # The prompt is still printed; the error follows it on its last line.
        $line = (@($out) -join "`n") -replace '(?s)^.*ERROR ', 'ERROR '
        $line | Should -BeLike 'ERROR ConfirmationUnavailable,DbBackup.PowerShell.RestoreDbBackupCommand *'
        $line | Should -Match '-Confirm:\$false'
        $line | Should -Not -Match 'Object reference'
    }
}

Describe 'The detached worker' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'psworker'
        New-TestDatabase $engine $db
        $target = Get-Target $engine
        $repo = Join-Path $TestDrive 'worker-repo'
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'runs as a readable pwsh -File command line with no password and no encoded blob' -Skip:(-not $IsLinux) {
        $b = Start-DbBackup @target -Database $db -Repository $repo
        # pwsh takes over a second to start, so the worker is still there right after Start returns.
        $cmdline = [IO.File]::ReadAllText("/proc/$($b.WorkerProcessId)/cmdline") -split "`0"
        $cmdline | Should -Contain '-File'
        ($cmdline | Where-Object { $_ -like '*DbBackup.Worker.ps1' }) | Should -Not -BeNullOrEmpty
        $cmdline | Should -Contain $b.Id
        $cmdline | Should -Not -Contain '-EncodedCommand'
        "$cmdline" | Should -Not -Match ([regex]::Escape($script:Servers[$engine].Password))
        ($b | Wait-DbBackup -Repository $repo -Timeout 120).State | Should -Be 'Succeeded'
    }
}

Describe 'The in-session worker of -Wait' {
    BeforeAll {
        $db = New-DatabaseName 'psinsession'
        New-TestDatabase 'PostgreSql' $db
        $repo = Join-Path $TestDrive 'insession-repo'
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $s = $script:Servers['PostgreSql']
    }
    AfterAll { Remove-TestDatabase 'PostgreSql' $db }

    It 'a session killed during Start-DbBackup -Wait leaves a Failed record that says why, never a Running one' {
        $pause = Join-Path $TestDrive 'insession-pause'
        New-Item -ItemType Directory $pause | Out-Null
        $env:PESTER_DBBACKUP_PW = $s.Password
        $env:DBBACKUP_TEST_PAUSE_AT = 'backup:data'; $env:DBBACKUP_TEST_PAUSE_DIR = $pause
        try {
            $script = "Import-Module '$ModuleManifest'; `$c = [pscredential]::new('$($s.User)', (ConvertTo-SecureString `$env:PESTER_DBBACKUP_PW -AsPlainText -Force)); Start-DbBackup -Engine PostgreSql -Server '$($s.Server)' -Port $($s.Port) -Database '$db' -Credential `$c -Repository '$repo' -Wait"
            $session = Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
        }
        finally { Remove-Item Env:PESTER_DBBACKUP_PW, Env:DBBACKUP_TEST_PAUSE_AT, Env:DBBACKUP_TEST_PAUSE_DIR }
        $marker = Join-Path $pause 'backup:data.reached'
        $deadline = (Get-Date).AddSeconds(90)
        while (-not (Test-Path $marker) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Test-Path $marker | Should -BeTrue
        $running = Get-DbBackup -Repository $repo -First 1
        $running.State | Should -Be 'Running'
        $running.WorkerProcessId | Should -Be $session.Id      # the session itself is the worker
        $session.Kill()
        $session.WaitForExit()
        $final = Get-DbBackup -Id $running.Id -Repository $repo
        $final.State | Should -Be 'Failed'
        $final.StatusMessage | Should -Match "$($session.Id)"
    }
}

Describe 'Ctrl+C (StopProcessing)' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'psstop'
        New-TestDatabase $engine $db
        # Enough data that the backup is still running when the pipeline is stopped.
        Invoke-Sql $engine $db "CREATE TABLE big (id int PRIMARY KEY, v text); INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, 2000000) g;" | Out-Null
        $s = $script:Servers[$engine]

        # Runs a pipeline on another runspace and stops it (what Ctrl+C does) once the backup is Running.
        function script:Stop-WhenRunning([scriptblock] $Script, [string] $Repo) {
            $ps = [powershell]::Create()
            $null = $ps.AddScript($Script).AddArgument($ModuleManifest).AddArgument($Repo).AddArgument($s).AddArgument($db)
            $handle = $ps.BeginInvoke()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($clock.Elapsed.TotalSeconds -lt 60) {
                $b = Get-DbBackup -Repository $Repo -First 1 -ErrorAction SilentlyContinue
                if ($b -and $b.State -eq 'Running') { break }
                Start-Sleep -Milliseconds 50
            }
            $b.State | Should -Be 'Running'
            $clock.Restart()
            $ps.Stop()
            $stopSeconds = $clock.Elapsed.TotalSeconds
            $ps.Dispose()
            [pscustomobject]@{ Backup = $b; StopSeconds = $stopSeconds }
        }
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'under Start-DbBackup -Wait it cancels the backup promptly' {
        $repo = Join-Path $TestDrive 'stop-wait'
        $r = Stop-WhenRunning -Repo $repo -Script {
            param($m, $repo, $s, $db)
            Import-Module $m
            $cred = [pscredential]::new($s.User, (ConvertTo-SecureString $s.Password -AsPlainText -Force))
            Start-DbBackup -Engine PostgreSql -Server $s.Server -Port $s.Port -Database $db -Credential $cred -Jobs 1 -Repository $repo -Wait
        }
        $r.StopSeconds | Should -BeLessThan 20
        $final = $r.Backup | Wait-DbBackup -Repository $repo -Timeout 60 -ErrorAction SilentlyContinue
        $final.State | Should -Be 'Cancelled'
    }

    It 'under Wait-DbBackup it stops waiting and the backup goes on' {
        $repo = Join-Path $TestDrive 'stop-waiter'
        $cred = Get-TestCredential $engine
        $started = Start-DbBackup -Engine PostgreSql -Server $s.Server -Port $s.Port -Database $db -Credential $cred -Jobs 1 -Repository $repo
        $r = Stop-WhenRunning -Repo $repo -Script {
            param($m, $repo, $s, $db)
            Import-Module $m
            Get-DbBackup -Repository $repo -First 1 | Wait-DbBackup -Repository $repo
        }
        $r.Backup.Id | Should -Be $started.Id
        $r.StopSeconds | Should -BeLessThan 5
        ($started | Wait-DbBackup -Repository $repo -Timeout 180).State | Should -Be 'Succeeded'
    }
}

Describe 'Runbook: start in one process, poll from another' {
    BeforeAll {
        $engine = 'MySql'
        $db = New-DatabaseName 'psrunbook'
        New-TestDatabase $engine $db
        $repo = Join-Path $TestDrive 'runbook-repo'
        # The pwsh apphost in $PSHOME, as the module's worker launcher finds it: under `dotnet pwsh`
        # (the local dotnet tool) [Environment]::ProcessPath is dotnet, not pwsh.
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $s = $script:Servers[$engine]
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'the starting process exits at once and a new process sees the backup succeed' {
        # The password reaches the child through its environment, as a runbook's secret store would.
        $env:PESTER_DBBACKUP_PW = $s.Password
        try {
            $start = @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('$($s.User)', (ConvertTo-SecureString `$env:PESTER_DBBACKUP_PW -AsPlainText -Force))
`$r = Start-DbBackup -Engine MySql -Server '$($s.Server)' -Port $($s.Port) -Database '$db' -Credential `$cred -Repository '$repo'
"`$(`$r.Id) `$PID `$(`$r.State)"
"@
            $elapsed = Measure-Command { $line = & $pwsh -NoProfile -NonInteractive -Command $start }
        }
        finally { Remove-Item Env:PESTER_DBBACKUP_PW }
        $LASTEXITCODE | Should -Be 0
        $id, $starterPid, $state = "$line".Trim() -split ' '
        $state | Should -BeIn @('Pending', 'Running')
        $elapsed.TotalSeconds | Should -BeLessThan 60
        Get-Process -Id $starterPid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $poll = "Import-Module '$ModuleManifest'; `$r = Wait-DbBackup -Id '$id' -Repository '$repo' -Timeout 180; `"`$(`$r.State) `$(`$r.WorkerProcessId)`""
        $result = & $pwsh -NoProfile -NonInteractive -Command $poll
        "$result".Trim() -split ' ' | Select-Object -First 1 | Should -Be 'Succeeded'
        (Get-DbBackup -Id $id -Repository $repo).TableStats.Rows | Should -Be 3
    }
}

Describe 'Install path: PSResourceGet from a local repository, then Import-Module by name' {
    BeforeAll {
        $engine = 'PostgreSql'
        $db = New-DatabaseName 'psinstall'
        New-TestDatabase $engine $db
        $s = $script:Servers[$engine]
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $moduleFolder = Split-Path $ModuleManifest -Parent
        # A private HOME: PSResourceGet's repository list and the CurrentUser module folder live
        # under it, so the test touches nothing of the user's own profile.
        $home_ = Join-Path $TestDrive 'home'
        $feed = Join-Path $TestDrive 'feed'
        New-Item -ItemType Directory $home_, $feed | Out-Null
        $repo = Join-Path $TestDrive 'install-repo'
    }
    AfterAll { Remove-TestDatabase $engine $db }

    It 'publishes, installs with Install-PSResource and backs up after Import-Module DbBackup' {
        $publish = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DbBackupTestFeed -Uri '$feed' -Trusted
Publish-PSResource -Path '$moduleFolder' -Repository DbBackupTestFeed
Install-PSResource DbBackup -Repository DbBackupTestFeed -TrustRepository -Scope CurrentUser
(Get-InstalledPSResource DbBackup).InstalledLocation
"@
        $savedHome = $env:HOME
        $env:HOME = $home_
        $env:PESTER_DBBACKUP_PW = $s.Password
        try {
            $installed = & $pwsh -NoProfile -NonInteractive -Command $publish
            $LASTEXITCODE | Should -Be 0
            "$installed" | Should -BeLike "$home_*"

            $use = @"
`$ErrorActionPreference = 'Stop'
Import-Module DbBackup
`$cred = [pscredential]::new('$($s.User)', (ConvertTo-SecureString `$env:PESTER_DBBACKUP_PW -AsPlainText -Force))
`$r = Start-DbBackup -Engine PostgreSql -Server '$($s.Server)' -Port $($s.Port) -Database '$db' -Credential `$cred -Repository '$repo' -Wait
"`$((Get-Module DbBackup).ModuleBase)|`$(`$r.State)|`$(`$r.TableStats.Rows)"
"@
            $line = & $pwsh -NoProfile -NonInteractive -Command $use
            $LASTEXITCODE | Should -Be 0
        }
        finally {
            $env:HOME = $savedHome
            Remove-Item Env:PESTER_DBBACKUP_PW
        }
        $base, $state, $rows = "$line".Trim() -split '\|'
        $base | Should -BeLike "$home_*"          # the installed copy, not the build folder
        $state | Should -Be 'Succeeded'
        $rows | Should -Be 3
    }
}
