#Requires -Version 7.2
<#
.SYNOPSIS
    Measures the peak working set of Invoke-FcFunction for the issue-4 scenarios, each in a fresh pwsh.
.DESCRIPTION
    Starts one FC emulator in this process, then runs every scenario in its own new pwsh process that imports the
    built module, talks to the emulator over 127.0.0.1 and reports its own peak working set (VmHWM on Linux) as JSON.
    The emulator's memory is therefore not part of any figure.

      Baseline      import the module and make one small invocation
      FanOut        -Count inputs through echo with -ThrottleLimit 32 and 20% throttling (-MaxRetries 8), results streamed on
      LargePayload  a 32 MB -InputFile round-tripped through echo, the result checked by SHA-256

    Record the output in docs/performance.md ("Memory (issue 4)").
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh -NoProfile -File tests/perf/Measure-Memory.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/perf/Measure-Memory.ps1 -Scenario FanOut -Count 4000
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1'),
    [ValidateSet('Baseline', 'FanOut', 'LargePayload')]
    [string[]] $Scenario = @('Baseline', 'FanOut', 'LargePayload'),
    [ValidateRange(1, 1000000)]
    [int] $Count = 1000
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module $ModulePath -Force

# What each child runs; $Endpoint, $Count and $InputFile are passed as arguments, credentials through the environment.
$child = {
    param([string] $ModulePath, [string] $Scenario, [string] $Endpoint, [int] $Count, [string] $InputFile)
    $ErrorActionPreference = 'Stop'
    Import-Module $ModulePath
    $null = Invoke-FcFunction echo 'warm-up' -Endpoint $Endpoint
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $detail = switch ($Scenario) {
        'Baseline' { 'one small invocation' }
        'FanOut' {
            $summary = 1..$Count | ForEach-Object { "input-$_" } |
                Invoke-FcFunction echo -Endpoint $Endpoint -ThrottleLimit 32 -MaxRetries 8 |
                Measure-Object -Property Attempts -Sum
            "$($summary.Count) results, $($summary.Sum) attempts"
        }
        'LargePayload' {
            $r = Invoke-FcFunction echo -InputFile $InputFile -Endpoint $Endpoint
            $same = ([BitConverter]::ToString([Security.Cryptography.SHA256]::HashData($r.RawResult)) -replace '-') -eq (Get-FileHash $InputFile -Algorithm SHA256).Hash
            "$($r.RawResult.Length) bytes back, intact: $same"
        }
    }
    $clock.Stop()
    [Diagnostics.Process]::GetCurrentProcess().Refresh()
    [pscustomobject]@{
        Scenario    = $Scenario
        PeakWorkingSetMB = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 1)
        Seconds     = [math]::Round($clock.Elapsed.TotalSeconds, 1)
        Detail      = $detail
    } | ConvertTo-Json -Compress
}

$emulator = Start-FcEmulator -MaxConcurrency 32 -Function @{ echo = { param($Event) $Event } }
$bigFile = Join-Path ([IO.Path]::GetTempPath()) "fcinvoke-memory-$PID.txt"
try {
    if ($Scenario -contains 'LargePayload') {
        $block = [byte[]]::new(1MB)
        for ($i = 0; $i -lt $block.Length; $i++) { $block[$i] = 32 + ($i % 95) }
        $stream = [IO.File]::Create($bigFile)
        try { for ($i = 0; $i -lt 32; $i++) { $stream.Write($block, 0, $block.Length) } } finally { $stream.Dispose() }
    }
    $pwsh = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $scriptFile = Join-Path ([IO.Path]::GetTempPath()) "fcinvoke-memory-$PID.ps1"
    Set-Content -Path $scriptFile -Value $child.ToString()
    foreach ($name in $Scenario) {
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in $prefix + @('-NoProfile', '-NonInteractive', '-File', $scriptFile, $ModulePath, $name, $emulator.Endpoint.ToString(), $Count, $bigFile)) {
            $start.ArgumentList.Add([string]$a)
        }
        $start.RedirectStandardOutput = $true
        $start.UseShellExecute = $false
        $start.Environment['ALIBABA_CLOUD_ACCESS_KEY_ID'] = $emulator.AccessKeyId
        $start.Environment['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = $emulator.Credential.GetNetworkCredential().Password
        $start.Environment['ALIBABA_CLOUD_ACCOUNT_ID'] = $emulator.AccountId
        # The Faults setter is an internal test hook (see tests/pester/Common.ps1, Set-FcTestEmulatorFaults).
        $faults = if ($name -eq 'FanOut') { [FcInvoke.Emulator.FcEmulatorFaults]::new(0.2) } else { $null }
        $emulator.GetType().GetProperty('Faults').GetSetMethod($true).Invoke($emulator, @([FcInvoke.Emulator.FcEmulatorFaults]$faults))
        $process = [Diagnostics.Process]::Start($start)
        $output = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "The $name scenario failed (exit code $($process.ExitCode)): $output" }
        $output.Trim() -split "`n" | Select-Object -Last 1 | ConvertFrom-Json
    }
}
finally {
    $emulator | Stop-FcEmulator
    Remove-Item $bigFile, $scriptFile -ErrorAction SilentlyContinue
}
