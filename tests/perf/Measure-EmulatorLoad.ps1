#Requires -Version 7.2
<#
.SYNOPSIS
    The emulator under load (issue 12): N concurrent keep-alive clients x M signed invocations, all answered correctly?
.DESCRIPTION
    Starts an FC emulator in this pwsh with an echo function, then runs `FcBench emulator-load` (tests/bench/FcBench) in
    its own process: N clients, each on its own keep-alive connection, start together and each sends M signed
    InvokeFunction calls in a row, made by the module's own request code. It prints the load tool's figures (status
    counts, wrong answers, transport errors, latency p50/p90/p99/max, calls/s) and what the emulator saw (its request
    count, any 5xx). Not part of -Task Test. Record the result in docs/performance.md ("The emulator under load").
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh -NoProfile -File tests/perf/Measure-EmulatorLoad.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/perf/Measure-EmulatorLoad.ps1 -Clients 50 -CallsPerClient 10 -MaxConcurrency 32
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1'),
    [ValidateRange(1, 1000)] [int] $Clients = 200,
    [ValidateRange(1, 100000)] [int] $CallsPerClient = 20,
    [ValidateRange(1, 256)] [int] $MaxConcurrency = 16
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$bin = Join-Path $root 'out/bench/bin'
$buildOutput = & dotnet build (Join-Path $root 'tests/bench/FcBench/FcBench.csproj') -c Release --nologo -v quiet -o $bin
if ($LASTEXITCODE -ne 0) { $buildOutput | Write-Host; throw "Building FcBench failed (exit code $LASTEXITCODE)." }
Import-Module (Resolve-Path $ModulePath).Path -Force

$emulator = Start-FcEmulator -Function @{ echo = { param($Event) $Event } } -MaxConcurrency $MaxConcurrency
try {
    $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $emulator.AccessKeyId
    $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $emulator.Credential.GetNetworkCredential().Password
    $env:ALIBABA_CLOUD_ACCOUNT_ID = $emulator.AccountId
    $line = & dotnet (Join-Path $bin 'FcBench.dll') emulator-load --endpoint $emulator.Endpoint --clients $Clients --calls $CallsPerClient --function echo
    $loadExit = $LASTEXITCODE
    $figures = $line | ConvertFrom-Json
    $serverErrors = @($emulator.RecentRequests | Where-Object StatusCode -ge 500).Count
    [pscustomobject]@{
        Clients          = $figures.clients
        CallsPerClient   = $figures.callsPerClient
        Calls            = $figures.calls
        Statuses         = ($figures.statuses.PSObject.Properties | ForEach-Object { "$($_.Name): $($_.Value)" }) -join ', '
        WrongAnswers     = $figures.wrongAnswers
        TransportErrors  = $figures.transportErrors
        P50Ms            = $figures.p50Ms
        P90Ms            = $figures.p90Ms
        P99Ms            = $figures.p99Ms
        MaxMs            = $figures.maxMs
        ElapsedS         = $figures.elapsedS
        CallsPerS        = $figures.callsPerS
        EmulatorRequests = $emulator.RequestCount
        Emulator5xx      = $serverErrors
        MaxConcurrency   = $MaxConcurrency
        Machine          = "$([Environment]::ProcessorCount) CPU, $([Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version)"
    }
    if ($loadExit -ne 0 -or $serverErrors -gt 0) { exit 1 }
}
finally {
    $emulator | Stop-FcEmulator
    Remove-Item env:ALIBABA_CLOUD_ACCESS_KEY_ID, env:ALIBABA_CLOUD_ACCESS_KEY_SECRET, env:ALIBABA_CLOUD_ACCOUNT_ID -ErrorAction SilentlyContinue
}
