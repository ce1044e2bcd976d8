<#
.SYNOPSIS
    Generates the module's help from docs/ (called by build.ps1 in a fresh pwsh, so the module's DLL is not loaded into the build).
    Writes en-US/<assembly>-Help.xml (one per assembly with cmdlets) and en-US/about_FcInvoke.help.txt under the module folder; gaps in the pages are
    warnings here, and failures of the Pester help test.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $DocsPath = (Split-Path $PSScriptRoot -Parent)
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'FcHelp.psm1')
Import-Module $ModulePath
$pages = Join-Path $DocsPath 'cmdlets'
$outDir = Join-Path (Split-Path $ModulePath -Parent) 'en-US'
# One MAML file per assembly: the cmdlets of FcInvoke.dll and of FcInvoke.Emulator.dll each look in their own.
foreach ($group in (Get-Module FcInvoke).ExportedCmdlets.Values | Group-Object HelpFile) {
    $null = Export-FcMamlHelp -HelpPath $pages -ModuleName FcInvoke -CmdletName $group.Group.Name -OutputPath (Join-Path $outDir $group.Name)
}
$null = Export-FcAboutHelp -Path (Join-Path $DocsPath 'about_FcInvoke.md') -OutputPath (Join-Path $outDir 'about_FcInvoke.help.txt')
foreach ($gap in Test-FcHelp -HelpPath $pages -ModuleName FcInvoke) { Write-Warning "help: $gap" }
