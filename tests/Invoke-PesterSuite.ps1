<#
.SYNOPSIS
    Runs the Pester suite against a built FcInvoke module and writes the counts as JSON.
    Called by build.ps1 -Task Test in a fresh pwsh, so the module's DLL is loaded once and released at exit.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath
)
# No global ErrorActionPreference here: tests must see PowerShell's default (Continue), as runbooks do.
Import-Module $PesterPath -Force -ErrorAction Stop
$env:FCINVOKE_TEST_MODULE = (Resolve-Path $ModulePath).Path
# No test may send a packet beyond loopback: the module refuses any other destination while this is set.
$env:FCINVOKE_LOOPBACK_ONLY = 'true'

$config = New-PesterConfiguration
$config.Run.Path = Join-Path $PSScriptRoot 'pester'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
$result = Invoke-Pester -Configuration $config

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount
} | ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8NoBOM
exit ([int]($failed -gt 0))
