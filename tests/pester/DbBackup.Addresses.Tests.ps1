#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 8 §2: an address the tool does not understand is refused, never taken as a relative folder (it once
# created a local 'azure:' folder and the user believed the backup was off the machine). Through the cmdlets,
# as -Repository, as DBBACKUP_REPOSITORY and as Copy-DbBackup's -Destination; nothing is created.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path) -Force -ErrorAction Stop
}

Describe 'Repository addresses the tool does not understand' {
    BeforeEach {
        $work = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $source = Join-Path $work 'source'
        New-Item -ItemType Directory $source | Out-Null
        Push-Location $work
    }
    AfterEach {
        Pop-Location
        $env:DBBACKUP_REPOSITORY = $null
    }

    It 'refuses <Address> as -Repository, as DBBACKUP_REPOSITORY and as a copy destination, creating nothing' -ForEach @(
        @{ Address = 'azure:backups' }, @{ Address = 'azur://backups/x' }, @{ Address = 'gs://bucket/prefix' }, @{ Address = 'ftp://host/backups' }
    ) {
        $runs = @(
            { Get-DbBackup -Repository $Address -ErrorAction Stop }
            { Start-DbBackup -Engine PostgreSql -Server 127.0.0.1 -Database postgres -Repository $Address -ErrorAction Stop }
            { $env:DBBACKUP_REPOSITORY = $Address; try { Get-DbBackup -ErrorAction Stop } finally { $env:DBBACKUP_REPOSITORY = $null } }
            { Copy-DbBackup -Id bk-20260101000000000-abcdef -Repository $source -Destination $Address -Confirm:$false -ErrorAction Stop }
        )
        foreach ($run in $runs) {
            $err = $run | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'RepositoryAddressInvalid,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            "$err" | Should -Match ([regex]::Escape($Address))
            "$err" | Should -Match 'azure://container/prefix'
        }
        @(Get-ChildItem -Force $work).Name | Should -Be @('source')
        Get-ChildItem -Force $source | Should -BeNullOrEmpty
    }
}
