#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the DbBackup module into module/DbBackup, its external help, and runs the tests.
.DESCRIPTION
    The solution build lays out module/DbBackup (see DbBackup.PowerShell.csproj, target LayOutModule),
    so a plain `dotnet build DbBackup.sln` gives the same module where no pwsh exists. This script adds:
      -Docs  external help from docs/en-US: platyPS's New-ExternalHelp when installed, else the
             repository's Markdig-based tools/DbBackup.HelpGen; fails when the MAML file is missing.
      -Test  dotnet test, then (where Pester 5 is available) the Pester suite in a FRESH pwsh, so
             the module under test is loaded into a clean process exactly as users load it.
.EXAMPLE
    ./build.ps1 -Configuration Release -Docs -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [switch] $Test,
    [switch] $Docs
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$solution = Join-Path $root 'DbBackup.sln'
$moduleDir = Join-Path $root 'module/DbBackup'
$docsDir = Join-Path $root 'docs/en-US'
$helpDir = Join-Path $moduleDir 'en-US'
$helpGen = Join-Path $root 'tools/DbBackup.HelpGen/DbBackup.HelpGen.csproj'

function Invoke-Native([string] $What, [scriptblock] $Command) {
    Write-Host "==> $What" -ForegroundColor Cyan
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

# The Pester version the suite is written for; restored from NuGet by tools/pester/Pester.Download.csproj.
$PesterVersion = '5.9.1'

function Find-PesterPackage {
    Invoke-Native "NuGet restore of Pester $PesterVersion" { dotnet restore (Join-Path $root 'tools/pester/Pester.Download.csproj') --nologo -v quiet }
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $psd1 = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (Test-Path $psd1) { $psd1 }
}

# The pwsh executable of this session. Under `dotnet pwsh` (the local dotnet tool) the process is
# dotnet itself, so [Environment]::ProcessPath is not pwsh; $PSHOME holds the pwsh apphost in both cases.
function Get-PwshPath {
    $name = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $candidate = Join-Path $PSHOME $name
    if (Test-Path $candidate) { return $candidate }
    $onPath = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) { return $onPath.Source }
    throw "No $name found in `$PSHOME ($PSHOME) or on PATH."
}

Invoke-Native "dotnet build ($Configuration): module/DbBackup" { dotnet build $solution -c $Configuration --nologo }
foreach ($required in 'DbBackup.psd1', 'DbBackup.dll', 'DbBackup.Model.dll', 'DbBackup.format.ps1xml', 'Dependencies/DbBackup.Engine.dll') {
    if (-not (Test-Path (Join-Path $moduleDir $required))) { throw "The build did not produce module/DbBackup/$required." }
}

if ($Docs) {
    if (-not (Test-Path $docsDir)) { throw "No help sources in $docsDir." }
    $platyPS = Get-Module -ListAvailable -Name platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($platyPS) {
        Write-Host "==> External help with platyPS $($platyPS.Version)" -ForegroundColor Cyan
        Import-Module $platyPS -Force
        New-ExternalHelp -Path $docsDir -OutputPath $helpDir -Force | Out-Null
    }
    elseif (Test-Path $helpGen) {
        Invoke-Native 'External help with tools/DbBackup.HelpGen' { dotnet run --project $helpGen -c $Configuration -- $docsDir $helpDir }
    }
    else {
        throw 'Neither platyPS nor tools/DbBackup.HelpGen is available to build the external help.'
    }
    foreach ($file in 'DbBackup.dll-Help.xml', 'about_DbBackup.help.txt') {
        if (-not (Test-Path (Join-Path $helpDir $file))) { throw "External help incomplete: en-US/$file is missing." }
    }
}

if ($Test) {
    Invoke-Native 'dotnet test' { dotnet test $solution -c $Configuration --no-build --nologo }

    # Pester: DBBACKUP_PESTER_PATH (a folder holding Pester.psd1), else the NuGet package that
    # tools/pester/Pester.Download.csproj restores (the module sits under tools/ in it), else PSModulePath.
    $pester = if ($env:DBBACKUP_PESTER_PATH) { Get-ChildItem -Path $env:DBBACKUP_PESTER_PATH -Filter Pester.psd1 -Recurse -Depth 2 | Select-Object -First 1 -ExpandProperty FullName }
              else { Find-PesterPackage }
    if (-not $pester) {
        $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE '5.0' | Sort-Object Version -Descending | Select-Object -First 1 -ExpandProperty Path
    }
    if (-not $pester -and $env:CI -eq 'true') {
        throw "Pester $PesterVersion was not found (NuGet restore of tools/pester/Pester.Download.csproj failed?); under CI the Pester suite must run."
    }
    if (-not $pester) {
        Write-Warning 'Pester 5 not found (install it or set DBBACKUP_PESTER_PATH): the Pester suite was not run.'
    }
    else {
        $script = @"
Import-Module '$($pester -replace "'", "''")' -MinimumVersion 5.0 -ErrorAction Stop
`$c = New-PesterConfiguration
`$c.Run.Path = '$((Join-Path $root 'tests/pester') -replace "'", "''")'
`$c.Run.Exit = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$((Join-Path $root 'TestResults/pester.xml') -replace "'", "''")'
Invoke-Pester -Configuration `$c
"@
        Invoke-Native "Pester $PesterVersion (fresh pwsh $($PSVersionTable.PSVersion))" { & (Get-PwshPath) -NoProfile -NonInteractive -Command $script }
    }
}

Write-Host "Module ready: $moduleDir" -ForegroundColor Green
