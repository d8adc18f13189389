#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Policies through the cmdlets, against the real PostgreSQL server (DBBACKUP_TEST_PG_* as in
# DbBackup.Tests.ps1): create, change, run on a schedule (once per slot), hold, schedule registration.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1') -Force -ErrorAction Stop
    function script:Env([string] $Name, [string] $Default) { if ([string]::IsNullOrEmpty(($v = [Environment]::GetEnvironmentVariable($Name)))) { $Default } else { $v } }
    $script:Pg = @{ Server = Env 'DBBACKUP_TEST_PG_HOST' '127.0.0.1'; Port = [int](Env 'DBBACKUP_TEST_PG_PORT' '5432'); User = Env 'DBBACKUP_TEST_PG_USER' 'dbbackup' }
    # The policy names this variable; its value (the password) is never stored in the policy.
    $env:DBBACKUP_PESTER_POLICY_PW = Env 'DBBACKUP_TEST_PG_PASSWORD' 'dbbackup-test-pw'
    $script:Db = 'pspolicy_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $env:PGPASSWORD = $env:DBBACKUP_PESTER_POLICY_PW
    try {
        & psql -X -q -h $Pg.Server -p $Pg.Port -U $Pg.User -d postgres -c "CREATE DATABASE $Db;" | Out-Null
        & psql -X -q -h $Pg.Server -p $Pg.Port -U $Pg.User -d $Db -c "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);" | Out-Null
    }
    finally { Remove-Item Env:PGPASSWORD }
    $script:Repo = Join-Path $TestDrive 'policy-repo'
}

AfterAll {
    $env:PGPASSWORD = $env:DBBACKUP_PESTER_POLICY_PW
    & psql -X -q -h $Pg.Server -p $Pg.Port -U $Pg.User -d postgres -c "DROP DATABASE IF EXISTS $Db WITH (FORCE);" | Out-Null
    Remove-Item Env:PGPASSWORD, Env:DBBACKUP_PESTER_POLICY_PW -ErrorAction SilentlyContinue
    Remove-Module DbBackup -Force -ErrorAction SilentlyContinue
}

Describe 'Backup policies' {
    It 'New-DbBackupPolicy -WhatIf writes nothing, not even the repository' {
        New-DbBackupPolicy -Name p -Engine PostgreSql -Database x -Schedule '0 2 * * *' -Repository $Repo -WhatIf | Should -BeNullOrEmpty
        Test-Path $Repo | Should -BeFalse
    }

    It 'creates, lists and changes a policy; a bad schedule or an unknown name are errors with stable ids' {
        # Every 10 seconds (6 fields, seconds first), so the test reaches a slot after the policy's creation quickly.
        $p = New-DbBackupPolicy -Name ten-seconds -Engine PostgreSql -Server $Pg.Server -Port $Pg.Port -UserName $Pg.User -Database $Db `
            -Schedule '*/10 * * * * *' -KeepLast 2 -KeepDaily 7 -PasswordVariable DBBACKUP_PESTER_POLICY_PW -Label @{ env = 'pester' } -Repository $Repo
        $p | Should -BeOfType ([DbBackup.Model.BackupPolicy])
        "$($p.Retention)" | Should -Be 'last=2 daily=7'
        (Get-DbBackupPolicy -Repository $Repo).Name | Should -Be 'ten-seconds'
        $changed = Get-DbBackupPolicy ten-* -Repository $Repo | Set-DbBackupPolicy -KeepDaily 0 -KeepWeekly 4 -PassThru -Repository $Repo
        "$($changed.Retention)" | Should -Be 'last=2 weekly=4'
        (Get-Content (Join-Path $Repo 'policies/ten-seconds.json') -Raw) | Should -Not -Match $env:DBBACKUP_PESTER_POLICY_PW

        { New-DbBackupPolicy -Name bad -Engine PostgreSql -Database x -Schedule 'every night' -Repository $Repo -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidSchedule,DbBackup.PowerShell.NewDbBackupPolicyCommand'
        Get-DbBackupPolicy nosuch -Repository $Repo -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'PolicyNotFound,DbBackup.PowerShell.GetDbBackupPolicyCommand'
    }

    It 'tab completion of -Name offers the repository''s policies on Get-, Set-, Remove- and Invoke-DbBackupPolicy' {
        foreach ($verb in 'Get', 'Set', 'Remove', 'Invoke') {
            $line = "$verb-DbBackupPolicy -Repository '$Repo' -Name te"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('ten-seconds') -Because $verb
        }
        $line = "Get-DbBackupPolicy -Repository '$Repo' -Name zz"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches).Count | Should -Be 0
    }

    It 'Invoke-DbBackupPolicy starts the due backup once per slot, and the backup can be held' {
        # Just after a 10-second boundary: the slot is due, and a second run lands in the same slot.
        Start-Sleep -Milliseconds (10000 - ([DateTime]::UtcNow.Second % 10) * 1000 - [DateTime]::UtcNow.Millisecond + 300)
        Invoke-DbBackupPolicy -Repository $Repo -WhatIf
        @(Get-DbBackup -Repository $Repo).Count | Should -Be 0
        $first = Invoke-DbBackupPolicy -Repository $Repo -Confirm:$false | Where-Object Policy -EQ 'ten-seconds'
        $second = Invoke-DbBackupPolicy -Repository $Repo -Confirm:$false | Where-Object Policy -EQ 'ten-seconds'
        $first[0].Outcome | Should -Be 'Started'
        $second[0].Outcome | Should -Be 'AlreadyStarted'
        $done = Get-DbBackup -Id $first[0].BackupId -Repository $Repo | Wait-DbBackup -Repository $Repo
        $done.State | Should -Be 'Succeeded'
        $done.Policy | Should -Be 'ten-seconds'
        $done.Labels['env'] | Should -Be 'pester'

        $held = $done | Set-DbBackup -Hold -PassThru -Repository $Repo
        $held.Hold | Should -BeTrue
        ($done | Set-DbBackup -Hold:$false -PassThru -Repository $Repo).Hold | Should -BeFalse
    }

    It 'Register-DbBackupSchedule -WhatIf returns the units it would write and writes nothing' {
        $plan = Register-DbBackupSchedule -Scheduler systemd -EveryMinutes 10 -Repository $Repo -WhatIf
        $plan.Written | Should -BeFalse
        $plan.Files.Count | Should -Be 2
        ($plan.Files | Where-Object Path -Like '*.timer').Content | Should -Match 'OnCalendar=\*-\*-\* \*:00/10:00'
        ($plan.Files | Where-Object Path -Like '*.service').Content | Should -Match 'Invoke-DbBackupPolicy -Repository'
        $plan.Files.Path | ForEach-Object { Test-Path $_ } | Should -Not -Contain $true
    }

    It 'Remove-DbBackupPolicy removes the policy and keeps its backups' {
        Remove-DbBackupPolicy ten-seconds -Repository $Repo -Confirm:$false
        Get-DbBackupPolicy -Repository $Repo | Should -BeNullOrEmpty
        @(Get-DbBackup -Repository $Repo).Count | Should -Be 1
    }
}
