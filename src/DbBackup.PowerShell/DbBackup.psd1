# Module manifest of DbBackup. Source of truth: src/DbBackup.PowerShell/DbBackup.psd1; the build copies
# it into module/DbBackup/ (build output, git-ignored).
@{
    RootModule           = 'DbBackup.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '551189d3-85f8-4fa2-8a7c-649a23a526b1'
    Author               = 'DbBackup contributors'
    CompanyName          = 'DbBackup contributors'
    Copyright            = '(c) DbBackup contributors. MIT License.'
    Description          = 'Take, track, download, restore and prune logical backups of PostgreSQL and MySQL/MariaDB databases, with detached workers, verification, retention and pre-restore safety backups.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')

    # Loaded normally (default load context) so scripts can name [DbBackup.Model.BackupRecord] and the
    # format views bind. The engine and Npgsql load privately from Dependencies/ (see ModuleAssemblyInitializer).
    RequiredAssemblies   = @('DbBackup.Model.dll')
    FormatsToProcess     = @('DbBackup.format.ps1xml')

    CmdletsToExport      = @(
        'Start-DbBackup'
        'Get-DbBackup'
        'Get-DbBackupStatus'
        'Wait-DbBackup'
        'Stop-DbBackup'
        'Save-DbBackup'
        'Copy-DbBackup'
        'Import-DbBackup'
        'Restore-DbBackup'
        'Remove-DbBackup'
        'Test-DbBackup'
        'Get-DbBackupLog'
        'Get-DbBackupRestore'
        'Remove-DbBackupRestore'
        'Get-DbBackupRepository'
        'Set-DbBackupRepository'
        'Set-DbBackup'
        'New-DbBackupPolicy'
        'Get-DbBackupPolicy'
        'Set-DbBackupPolicy'
        'Remove-DbBackupPolicy'
        'Invoke-DbBackupPolicy'
        'Register-DbBackupSchedule'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    PrivateData          = @{
        PSData = @{
            Tags       = @('Backup', 'Restore', 'PostgreSQL', 'MySQL', 'MariaDB', 'Database', 'PSEdition_Core', 'Linux', 'Windows')
            # No ProjectUri/LicenseUri: the project has no public address yet, and a made-up one
            # would send users to a page that does not exist. The MIT license text ships as LICENSE.
            ReleaseNotes = 'First release.'
        }
    }
}
