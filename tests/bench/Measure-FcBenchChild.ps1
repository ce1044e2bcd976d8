#Requires -Version 7.2
<#
.SYNOPSIS
    One measured run of the benchmark in a fresh pwsh, so its memory figures are its own: prints one JSON line.
.DESCRIPTION
    Started by Invoke-FcBenchmark.ps1 (./build.ps1 -Task Bench); not meant to be run by hand.
    RoundTrip  one sync invocation of -PayloadBytes, echoed back by the bench server: random bytes made here and sent
               with -Payload byte[] (they count), or the file -InputFile (written by the driver, so only what the
               module holds counts).
    FanOut     -Count invocations of sleep<LatencyMs> through Invoke-FcFunction -ThrottleLimit <ThrottleLimit>.
    Submit     -Count asynchronous invocations of sleep<LatencyMs> with -AsyncTaskIdPrefix and -ThrottleLimit <ThrottleLimit>.
    Wait       against an FC emulator (-Endpoint, its key pair in the environment): queues -Count tasks of -FunctionName with
               -AsyncTaskIdPrefix <Prefix> (not measured), then waits for them with Wait-FcAsyncTask using -Strategy (Auto,
               what users get, or PerTask, one read per task per round, set through the waiter's internal hook). Writes
               each task the wait returned as one line of text to -DigestFile for the driver to compare with
               Get-FcAsyncTask. The figures are the wait's.
    Working set: after import and a warm-up, the peak (VmHWM) is reset through /proc/self/clear_refs, so the reported
    peak belongs to the measured operation; 'before' is the working set just before it starts.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [ValidateSet('RoundTrip', 'FanOut', 'Submit', 'Wait')] [string] $Mode,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Endpoint,
    [long] $PayloadBytes = 32MB,
    [string] $InputFile,
    [int] $Count = 5000,
    [int] $ThrottleLimit = 32,
    [int] $LatencyMs = 20,
    [string] $FunctionName = 'work',
    [string] $Prefix = "bench$PID-",
    [ValidateSet('Auto', 'PerTask')] [string] $Strategy = 'Auto',
    [string] $DigestFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModulePath

function Get-MemoryFigure([string] $Name) {
    # VmRSS (working set) and VmHWM (its peak) in bytes, from the kernel's own accounting.
    $line = [IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_ -like "${Name}:*" }
    [long]($line -replace '[^0-9]', '') * 1KB
}

function Start-MeasuredSection {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    if (Test-Path /proc/self/clear_refs) { [IO.File]::WriteAllText('/proc/self/clear_refs', '5') }  # resets VmHWM
    Get-MemoryFigure VmRSS
}

$conn = @{ Endpoint = $Endpoint }
if ($Mode -ne 'Wait') { $null = Invoke-FcFunction -FunctionName bench -Payload '{}' @conn }   # warm-up: JIT, connection, type data

if ($Mode -eq 'Wait') {
    . (Join-Path $PSScriptRoot 'FcBenchTaskText.ps1')
    $started = 1..$Count | Invoke-FcFunction $FunctionName -AsyncTaskIdPrefix $Prefix -ThrottleLimit $ThrottleLimit @conn
    if (@($started).Count -ne $Count) { throw "Only $(@($started).Count) of $Count tasks were queued." }
    # The core assembly is loaded by now (the results are its type).
    $waiter = $started[0].GetType().Assembly.GetType('FcInvoke.Core.FcAsyncTaskWaiter')
    $hook = $waiter.GetProperty('DefaultStrategy', [Reflection.BindingFlags]'Static,NonPublic')
    $hook.SetValue($null, [Enum]::Parse($hook.PropertyType, $Strategy))
    $before = Start-MeasuredSection
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $done = $started | Wait-FcAsyncTask @conn
    $watch.Stop()
    $peak = Get-MemoryFigure VmHWM
    if (@($done).Count -ne $Count) { throw "The wait returned $(@($done).Count) of $Count tasks." }
    [IO.File]::WriteAllLines($DigestFile, [string[]]@($done | ConvertTo-FcBenchTaskText))
}
elseif ($Mode -eq 'Submit') {
    $null = 1..([Math]::Max(64, 2 * $ThrottleLimit)) | Invoke-FcFunction -FunctionName bench -InvocationType Async -AsyncTaskIdPrefix "warm$PID-" -ThrottleLimit $ThrottleLimit @conn
    $before = Start-MeasuredSection
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $n = (1..$Count | Invoke-FcFunction -FunctionName "sleep$LatencyMs" -AsyncTaskIdPrefix $Prefix -ThrottleLimit $ThrottleLimit @conn | Measure-Object).Count
    $watch.Stop()
    if ($n -ne $Count) { throw "The submission returned $n of $Count results." }
}
elseif ($Mode -eq 'RoundTrip') {
    $before = Start-MeasuredSection
    $watch = [Diagnostics.Stopwatch]::StartNew()
    if ($InputFile) {
        $result = Invoke-FcFunction -FunctionName bench -InputFile $InputFile @conn
    }
    else {
        $bytes = [byte[]]::new($PayloadBytes)
        [Random]::new(42).NextBytes($bytes)
        $result = Invoke-FcFunction -FunctionName bench -Payload $bytes @conn
    }
    $watch.Stop()
    if ($result.RawResult.Length -ne $PayloadBytes) { throw "The round trip returned $($result.RawResult.Length) of $PayloadBytes bytes." }
}
else {
    # Warm the fan-out path itself (its workers and connections) before the measured run.
    $null = 1..([Math]::Max(64, 2 * $ThrottleLimit)) | Invoke-FcFunction -FunctionName bench -ThrottleLimit $ThrottleLimit @conn
    $before = Start-MeasuredSection
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $n = (1..$Count | Invoke-FcFunction -FunctionName "sleep$LatencyMs" -ThrottleLimit $ThrottleLimit @conn | Measure-Object).Count
    $watch.Stop()
    if ($n -ne $Count) { throw "The fan-out returned $n of $Count results." }
}

if ($Mode -ne 'Wait') { $peak = Get-MemoryFigure VmHWM }
[ordered]@{
    mode              = $Mode
    elapsedMs         = $watch.Elapsed.TotalMilliseconds
    count             = if ($Mode -eq 'RoundTrip') { 1 } else { $Count }
    throttleLimit     = if ($Mode -eq 'RoundTrip') { $null } else { $ThrottleLimit }
    workingSetBefore  = $before
    peakWorkingSet    = $peak
    peakAboveBefore   = $peak - $before
} | ConvertTo-Json -Compress
