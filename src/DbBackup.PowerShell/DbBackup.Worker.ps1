# The DbBackup module's detached worker: Start-DbBackup and Restore-DbBackup start it as
#   pwsh -NoProfile -NonInteractive -NoLogo -File <module>/DbBackup.Worker.ps1 -Repository <path> -OperationId <id>
# and hand it the password on standard input (never on the command line). It runs one backup or
# restore to its end; the operation's record in the repository says how it ended. Not for users.
param(
    [Parameter(Mandatory)] [string] $Repository,
    [Parameter(Mandatory)] [string] $OperationId
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# The binary module alone: the worker needs no format views or help, and skipping them starts it sooner.
Import-Module -Name (Join-Path $PSScriptRoot 'DbBackup.dll')
exit [DbBackup.PowerShell.WorkerEntryPoint]::Run($Repository, $OperationId)
