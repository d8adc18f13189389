#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cmdlets' parameter surface (syntax, sets, positions, mandatory, pipeline binding, aliases, validation,
# completion) must not change by accident when shared declarations move. A deliberate change to a
# parameter regenerates the snapshot:
#   pwsh -c 'Import-Module ./module/DbBackup/DbBackup.psd1; . ./tests/pester/ParameterSurface.ps1; Get-DbBackupParameterSurface' > tests/pester/ParameterSurface.snapshot.txt
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/DbBackup/DbBackup.psd1' | Resolve-Path).Path -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'ParameterSurface.ps1')
}

Describe 'DbBackup parameter surface' {
    It 'is the surface recorded in ParameterSurface.snapshot.txt, line for line' {
        $expected = Get-Content (Join-Path $PSScriptRoot 'ParameterSurface.snapshot.txt')
        $actual = @(Get-DbBackupParameterSurface)
        $diff = Compare-Object $expected $actual -SyncWindow 0 | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }
        $diff | Should -BeNullOrEmpty -Because 'a cmdlet''s parameters changed (<= snapshot, => now)'
        $actual.Count | Should -Be $expected.Count
    }
}
