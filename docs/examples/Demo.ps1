<#
.SYNOPSIS
    FcInvoke in one minute, with no cloud account: starts the local FC emulator with demo functions, connects to it,
    invokes them synchronously and asynchronously, and shows the typed results, errors and logs as a user sees them.
    Run it with: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
#>
param([string] $ModulePath = (Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1'))
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Show-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

Show-Step 'Start-FcEmulator: a local Function Compute on 127.0.0.1 with demo functions, and Connect-FcAccount to it'
$emulator = Start-FcEmulator -Function @{
    # FC 3.0 function: the payload arrives as text in $Event; what it outputs is the result.
    'greet'           = {
        param($Event, $Context)
        $in = $Event | ConvertFrom-Json
        Write-Host "greeting $($in.name) (request $($Context.RequestId))"
        [pscustomobject]@{ message = "Hello, $($in.name)!"; at = (Get-Date).ToUniversalTime().ToString('o') }
    }
    # FC 2.0 function (service 'ops'): a slow job that fails on bad input.
    'ops/resize-disk' = {
        param($Event, $Context)
        Write-Host "resizing $Event"
        Start-Sleep -Milliseconds 300
        if ($Event -notmatch '^\d+$') { throw "size '$Event' is not a number" }
        "resized to $Event GB"
    }
}
$emulator | Format-Table
# One line: every FC command of this session now talks to the emulator (its endpoint, key pair, account and region).
$emulator | Connect-FcAccount | Format-Table

Show-Step 'Invoke-FcFunction (FC 3.0, sync): the result as a table, then the properties behind its columns'
$result = Invoke-FcFunction greet -Payload @{ name = 'ops team' }
$result | Format-Table
$result | Format-List Function, StatusCode, Duration, RequestId, Result, Logs

Show-Step 'ResultObject: the JSON result, parsed once'
$result.ResultObject.message

Show-Step 'Get-FcFunction -All: every function, FC 3.0 and FC 2.0, in one table'
Get-FcFunction -All | Format-Table

Show-Step 'Invoke-FcFunction ops/resize-disk (the FC 2.0 function, named as the table shows it) for several inputs from the pipeline'
'100', '200' | Invoke-FcFunction ops/resize-disk | Format-Table

Show-Step 'Invoke-FcFunction -ThrottleLimit 8: twenty inputs, eight in flight at once, results in input order'
$watch = [Diagnostics.Stopwatch]::StartNew()
$many = 1..20 | ForEach-Object { "$_" } | Invoke-FcFunction ops/resize-disk -ThrottleLimit 8
"$($many.Count) results in $([int]$watch.Elapsed.TotalMilliseconds) ms (one by one would take about 20 x 300 ms); first three: $(($many | Select-Object -First 3).Result -join ' | ')"
$many | Sort-Object Duration -Descending | Select-Object -First 3 | Format-Table Function, StatusCode, Duration, InputObject

Show-Step 'A function error is a non-terminating error: its target is the input, its exception holds the whole result (log included)'
'12', 'lots' | Invoke-FcFunction ops/resize-disk -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
"Error id   : $($failed[0].FullyQualifiedErrorId)"
"Message    : $($failed[0])"
"Target     : $($failed[0].TargetObject)"
"Result.Logs:`n$($failed[0].Exception.Result.Logs)"

Show-Step 'An error that says what to do: a function that is not where it was looked for'
Invoke-FcFunction resize-disk -Payload '5' -ErrorVariable missing -ErrorAction SilentlyContinue
"$($missing[0])"

Show-Step 'Invoke-FcFunction -InvocationType Async: 202 and a task id; the function runs in the background'
$async = Invoke-FcFunction ops/resize-disk -Payload '300' -AsyncTaskId 'resize-300'
$async | Format-Table

Show-Step 'Fan out as async tasks (one task id per input), then wait for all of them together and look at the failures'
$tasks = '10', '20', 'oops', '40' | Invoke-FcFunction ops/resize-disk -AsyncTaskId { "resize-$_" }
# The results remember the connection they came from: no connection parameters.
$done = $async, $tasks | ForEach-Object { $_ } | Wait-FcAsyncTask -TimeoutSec 60
$done | Sort-Object TaskId | Format-Table
$done | Where-Object Status -eq 'Failed' | Format-List TaskId, Function, Status, Duration, ErrorMessage

Show-Step 'Invoke-FcFunction -WhatIf: the exact signed request, secrets redacted; nothing is sent'
Invoke-FcFunction greet -Payload '{"name":"nobody"}' -WhatIf

Show-Step 'The invocations the emulator received (its request journal, secrets redacted)'
$emulator.RecentRequests | Where-Object Path -like '*/invocations' | Select-Object -Last 8 | Format-Table

# Stopping the emulator also clears the session context that points at it (with a warning saying so).
$emulator | Stop-FcEmulator -WarningAction SilentlyContinue
Write-Host "`nDone. Next: Get-Help Invoke-FcFunction -Examples, and README.md for a first call against Alibaba Cloud." -ForegroundColor Green
