<#
.SYNOPSIS
    Runs the Pester suite against a built FcInvoke module and writes the results as JSON: the counts, one entry per test
    file, and each failure with a short message.
    Called by build.ps1 -Task Test in a fresh pwsh (so the module's DLL is loaded once and released at exit), whose output
    goes to out/test-results/pester-host.log: Pester's detailed report and whatever the tests show on the host. build.ps1
    prints the summary from the JSON.
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
# The output is a log file: no colour escapes in it.
$PSStyle.OutputRendering = 'PlainText'

$config = New-PesterConfiguration
$config.Run.Path = Join-Path $PSScriptRoot 'pester'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
$result = Invoke-Pester -Configuration $config

function Get-ShortMessage {
    # The first lines of an error, and where in the test file it was raised.
    param($ErrorRecord, [string] $File)
    if (-not $ErrorRecord) { return 'no error of its own: a set-up or tear-down of its block failed' }
    $lines = @("$($ErrorRecord.Exception.Message)" -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 3 |
               ForEach-Object { if ($_.Length -gt 200) { $_.Substring(0, 200) + '...' } else { $_ } })
    $at = "$($ErrorRecord.ScriptStackTrace)" -split "`r?`n" | Where-Object { $File -and $_.Contains($File) } | Select-Object -First 1
    if ($at -match ': (line \d+)$') { $lines[0] = "$($lines[0]) ($($Matches[1]))" }
    $lines -join "`n"
}

$failures = [Collections.Generic.List[object]]::new()
foreach ($test in $result.Failed) {
    $file = $test.ScriptBlock.File
    $failures.Add([pscustomobject]@{ File = Split-Path $file -Leaf; Name = $test.ExpandedPath; Message = Get-ShortMessage $test.ErrorRecord[0] $file })
}
foreach ($block in $result.FailedBlocks) {
    $file = $block.ScriptBlock.File
    $failures.Add([pscustomobject]@{ File = Split-Path $file -Leaf; Name = "$($block.ExpandedPath) (set-up or tear-down)"; Message = Get-ShortMessage $block.ErrorRecord[0] $file })
}
foreach ($container in $result.FailedContainers) {
    $file = "$($container.Item)"
    $failures.Add([pscustomobject]@{ File = Split-Path $file -Leaf; Name = '(the file itself)'; Message = Get-ShortMessage $container.ErrorRecord[0] $file })
}

$files = foreach ($container in $result.Containers) {
    $name = Split-Path "$($container.Item)" -Leaf
    $blocks = @($result.FailedBlocks | Where-Object { (Split-Path $_.ScriptBlock.File -Leaf) -eq $name }).Count
    $broken = @($result.FailedContainers | Where-Object { "$($_.Item)" -eq "$($container.Item)" }).Count
    [pscustomobject]@{
        File    = $name
        Passed  = $container.PassedCount
        Failed  = $container.FailedCount + $blocks + $broken
        Skipped = $container.SkippedCount + $container.NotRunCount + $container.InconclusiveCount
        Seconds = [math]::Round($container.Duration.TotalSeconds, 1)
    }
}

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{
    Passed   = $result.PassedCount
    Failed   = $failed
    Skipped  = $result.SkippedCount + $result.NotRunCount + $result.InconclusiveCount
    Files    = @($files)
    Failures = @($failures)
} | ConvertTo-Json -Depth 4 | Set-Content -Path $ResultPath -Encoding utf8NoBOM
exit ([int]($failed -gt 0))
