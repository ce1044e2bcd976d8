<#
.SYNOPSIS
    FcInvoke in one minute, with no cloud account: starts the local FC emulator with a demo function,
    invokes it synchronously and asynchronously, and shows the typed results with their logs.
    Run it with: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
#>
param([string] $ModulePath = (Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1'))
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Show-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

Show-Step 'Start-FcEmulator: a local Function Compute on 127.0.0.1 with two demo functions'
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
$connection = @{ Endpoint = $emulator.Endpoint; Credential = $emulator.Credential; AccountId = $emulator.AccountId; Region = $emulator.Region }

Show-Step 'Invoke-FcFunction (FC 3.0, sync) with the log tail'
$result = Invoke-FcFunction greet -Payload @{ name = 'ops team' } -LogType Tail @connection
$result | Format-List FunctionName, StatusCode, RequestId, Result, Logs, DurationMs

Show-Step 'ResultObject: the JSON result, parsed once'
$result.ResultObject.message

Show-Step 'Get-FcFunction and Get-FcService: what the account has (here, the emulator)'
Get-FcFunction @connection | Format-Table
Get-FcService @connection | Get-FcFunction @connection | Format-Table

Show-Step 'Invoke-FcFunction (FC 2.0, -ServiceName) for several inputs from the pipeline'
'100', '200' | Invoke-FcFunction resize-disk -ServiceName ops @connection | Format-Table

Show-Step 'Invoke-FcFunction -ThrottleLimit 8: twenty inputs, eight in flight at once, results in input order'
$watch = [Diagnostics.Stopwatch]::StartNew()
$many = 1..20 | ForEach-Object { "$_" } | Invoke-FcFunction resize-disk -ServiceName ops -ThrottleLimit 8 @connection
"$($many.Count) results in $([int]$watch.Elapsed.TotalMilliseconds) ms (one by one would take about 20 x 300 ms); first three: $(($many | Select-Object -First 3).Result -join ' | ')"

Show-Step 'A function error is a non-terminating error carrying the whole result (logs and request id)'
Invoke-FcFunction resize-disk -ServiceName ops -Payload 'lots' -LogType Tail @connection -ErrorVariable failed -ErrorAction SilentlyContinue
"Error id : $($failed[0].FullyQualifiedErrorId)"
"Message  : $($failed[0].Exception.Message)"
"Logs     :`n$($failed[0].TargetObject.Logs)"

Show-Step 'Invoke-FcFunction -InvocationType Async: 202 and a task id; the function runs in the background'
$async = Invoke-FcFunction resize-disk -ServiceName ops -Payload '300' -InvocationType Async -AsyncTaskId 'resize-300' @connection
$async | Format-List FunctionName, InvocationType, StatusCode, AsyncTaskId, RequestId

Show-Step 'Fan out as async tasks, then wait for all of them together and look at the failures'
$tasks = '10', '20', 'oops', '40' | ForEach-Object {
    Invoke-FcFunction resize-disk -ServiceName ops -Payload $_ -AsyncTaskId "resize-$_" @connection
}
$done = $async, $tasks | ForEach-Object { $_ } | Wait-FcAsyncTask -TimeoutSec 60 @connection
$done | Sort-Object TaskId | Format-Table
$done | Where-Object Status -eq 'Failed' | Format-List

Show-Step 'Invoke-FcFunction -WhatIf: the exact signed request, secrets redacted; nothing is sent'
Invoke-FcFunction greet -Payload '{"name":"nobody"}' -WhatIf @connection

Show-Step 'What the emulator received (the request journal, secrets redacted)'
$emulator.RecentRequests | Select-Object -Last 3 | ForEach-Object { "$_  (RequestId $($_.RequestId))" }

$emulator | Stop-FcEmulator
Write-Host "`nDone. Next: Get-Help Invoke-FcFunction -Examples, and README.md for a first call against Alibaba Cloud." -ForegroundColor Green
