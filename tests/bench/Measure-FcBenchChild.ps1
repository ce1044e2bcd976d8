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
    Working set: after import and a warm-up, the peak (VmHWM) is reset through /proc/self/clear_refs, so the reported
    peak belongs to the measured operation; 'before' is the working set just before it starts.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [ValidateSet('RoundTrip', 'FanOut')] [string] $Mode,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Endpoint,
    [long] $PayloadBytes = 32MB,
    [string] $InputFile,
    [int] $Count = 5000,
    [int] $ThrottleLimit = 32,
    [int] $LatencyMs = 20
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
$null = Invoke-FcFunction -FunctionName bench -Payload '{}' @conn   # warm-up: JIT, connection, type data

if ($Mode -eq 'RoundTrip') {
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

$peak = Get-MemoryFigure VmHWM
[ordered]@{
    mode              = $Mode
    elapsedMs         = $watch.Elapsed.TotalMilliseconds
    count             = if ($Mode -eq 'FanOut') { $Count } else { 1 }
    throttleLimit     = if ($Mode -eq 'FanOut') { $ThrottleLimit } else { $null }
    workingSetBefore  = $before
    peakWorkingSet    = $peak
    peakAboveBefore   = $peak - $before
} | ConvertTo-Json -Compress
