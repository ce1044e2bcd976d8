#Requires -Version 7.2
# Long on purpose: one driver runs every variant (module, floor, Invoke-RestMethod, Node SDKs, fan-out, import, memory)
# side by side in one run, so the ratios it reports come from the same machine state.
<#
.SYNOPSIS
    The FcInvoke benchmark: per-call overhead, fan-out throughput, import time and memory, side by side in one run.
.DESCRIPTION
    Run through ./build.ps1 -Task Bench, which builds the module and tests/bench/FcBench first. Starts the FcBench
    loopback server (127.0.0.1, InvokeFunction for both API versions, no signature check) and measures:
      1. Sequential sync invocations (-Calls, tiny payload): Invoke-FcFunction in a loop and fed by the pipeline,
         the raw HttpClient floor (FcBench floor: the module's own signed requests through a plain HttpClient),
         Invoke-RestMethod with the ACS3 signature computed in script, and, when Node.js is present, the official
         Node.js SDKs (@alicloud/fc20230330, @alicloud/fc-open20210406, installed into -NodeDir).
      2. Fan-out: Invoke-FcFunction -ThrottleLimit 1, 8, 32, 128 against a function with a fixed latency; throughput
         and its ratio to the ideal (ThrottleLimit / latency). Skipped when the module has no -ThrottleLimit.
      3. Import-Module time in a fresh pwsh against a fresh pwsh that imports nothing.
      4. Peak working set of a 32 MB round trip and of the 5,000-invocation fan-out, each in its own fresh pwsh.
      5. Submit: throughput and peak working set of -SubmitCount (10,000) asynchronous invocations with
         -AsyncTaskIdPrefix and -ThrottleLimit 32 against sleep<FanOutLatencyMs>, each run in a fresh pwsh.
      6. Wait: against an FC emulator started here (-WaitConcurrency slots, tasks that sleep -WaitTaskSeconds), for each of
         -WaitSizes tasks, Wait-FcAsyncTask with one read per task per round (the waiter's internal PerTask hook) and with
         listings (Auto, what users get), each in a fresh pwsh: the reads per task the emulator answered, the wait's time and
         peak working set, and whether every task the wait wrote equals what Get-FcAsyncTask returns afterwards.
    Each figure is the median of -Repetitions runs (variants interleaved within a repetition, so drift on a shared
    machine hits them alike); the ratios are what to compare across machines. Prints a table, writes -OutFile (JSON).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BenchDll,
    [string] $OutFile,
    # Where the official Node.js SDKs are installed with npm; empty skips the Node.js comparison.
    [string] $NodeDir,
    [ValidateRange(10, 1000000)] [int] $Calls = 2000,
    [ValidateRange(1, 25)] [int] $Repetitions = 5,
    # Every sequential variant is warmed up for at least this long before it is timed (tiered JIT, V8): per-call
    # figures are for code at steady state; cold start is what the import section measures.
    [ValidateRange(0, 60000)] [int] $WarmupMs = 3000,
    [ValidateRange(1, 25)] [int] $FanOutRepetitions = 5,
    [ValidateRange(1, 51)] [int] $ImportRepetitions = 11,
    [ValidateRange(1, 1000000)] [int] $FanOutCount = 5000,
    # Runs at a low -ThrottleLimit take Count x latency / limit; they are capped at this many invocations per unit of
    # limit (a rate does not need 5,000 calls at 1 per 20 ms). 0 runs the full -FanOutCount everywhere.
    [ValidateRange(0, 1000000)] [int] $FanOutCallsPerSlot = 250,
    [ValidateRange(1, 10000)] [int] $FanOutLatencyMs = 20,
    [ValidateRange(1, 256)] [int[]] $ThrottleLimits = @(1, 8, 32, 128),
    [ValidateRange(1, 32)] [int] $PayloadMB = 32,
    # Which parts to run: Sequential, FanOut, Import, Memory, Submit, Wait (all by default; 'Import,Memory' works with pwsh -File too).
    [string[]] $Section = @('Sequential', 'FanOut', 'Import', 'Memory', 'Submit', 'Wait'),
    [ValidateRange(1, 1000000)] [int] $SubmitCount = 10000,
    [ValidateRange(1, 25)] [int] $SubmitRepetitions = 3,
    # Task counts of the Wait section ('100,1000' works with pwsh -File too); at most 10,000, the emulator's task store.
    [string[]] $WaitSizes = @('100', '1000', '5000'),
    [ValidateRange(0, 600)] [int] $WaitTaskSeconds = 3,
    [ValidateRange(1, 256)] [int] $WaitConcurrency = 256,
    # A child process (floor, Node.js, fresh pwsh) that runs longer than this is stopped and the run fails.
    [ValidateRange(10, 3600)] [int] $ChildTimeoutSec = 300
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$here = $PSScriptRoot
$Section = @($Section -split ',' | ForEach-Object Trim | Where-Object { $_ })
$waitCounts = [int[]]@($WaitSizes -split ',' | ForEach-Object Trim | Where-Object { $_ })
if (@($waitCounts | Where-Object { $_ -lt 1 -or $_ -gt 10000 })) { throw "-WaitSizes are 1 to 10,000 tasks (the emulator keeps at most 10,000)." }
$unknown = @($Section | Where-Object { $_ -notin 'Sequential', 'FanOut', 'Import', 'Memory', 'Submit', 'Wait' })
if ($unknown) { throw "Unknown -Section $($unknown -join ', '): use Sequential, FanOut, Import, Memory, Submit and/or Wait." }
$ModulePath = (Resolve-Path $ModulePath).ProviderPath
$BenchDll = (Resolve-Path $BenchDll).ProviderPath
if ($OutFile) { $OutFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile) }
if ($NodeDir) { $NodeDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($NodeDir) }
$inv = [Globalization.CultureInfo]::InvariantCulture

# The bench's own key pair: the server checks no signature, but every client signs as it would against FC.
$env:ALIBABA_CLOUD_ACCESS_KEY_ID = 'bench-key-id'
$env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'bench-key-secret'
$env:ALIBABA_CLOUD_ACCOUNT_ID = '1234567890123456'
Remove-Item env:ALIBABA_CLOUD_SECURITY_TOKEN -ErrorAction SilentlyContinue

#region helpers
function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $mid = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

# How to start a fresh pwsh like this one: 'dotnet pwsh.dll' under the local tool, or the pwsh executable itself.
$pwshHost = [Environment]::ProcessPath
$pwshPrefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwshHost) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

function Start-Child([string] $FilePath, [string[]] $Arguments, [hashtable] $Environment = @{}, [switch] $WithInput) {
    $psi = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = [bool]$WithInput
    $psi.UseShellExecute = $false
    [Diagnostics.Process]::Start($psi)
}

function Invoke-Child([string] $FilePath, [string[]] $Arguments, [hashtable] $Environment = @{}) {
    # Runs a process to completion; returns its last stdout line (the JSON the bench children print).
    $p = Start-Child $FilePath $Arguments $Environment
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEndAsync()
    if (-not $p.WaitForExit($ChildTimeoutSec * 1000)) {
        $p.Kill($true)
        throw "'$FilePath $($Arguments -join ' ')' did not finish within $ChildTimeoutSec s and was stopped."
    }
    $p.WaitForExit()
    if ($p.ExitCode -ne 0) { throw "'$FilePath $($Arguments -join ' ')' failed ($($p.ExitCode)): $($stderr.Result)$($stdout.Result)" }
    ($stdout.Result -split "`r?`n" | Where-Object { $_ } | Select-Object -Last 1)
}

function Read-ChildLine($Process, [string] $What) {
    $line = $Process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait($ChildTimeoutSec * 1000) -or $null -eq $line.Result) {
        if (-not $Process.HasExited) { $Process.Kill($true) }
        throw "$What gave no answer: $($Process.StandardError.ReadToEnd())"
    }
    $line.Result
}

function Start-TimedWorker([string] $FilePath, [string[]] $Arguments, [hashtable] $Environment = @{}) {
    # A long-lived external variant (floor, Node.js SDK): warms up once, then times the calls it is asked for.
    $p = Start-Child $FilePath $Arguments $Environment -WithInput
    $null = Read-ChildLine $p "'$FilePath $($Arguments -join ' ')'"   # {"ready":true} once warm
    $p
}

function Measure-TimedWorker($Process, [int] $Calls) {
    $Process.StandardInput.WriteLine($Calls)
    $Process.StandardInput.Flush()
    (Read-ChildLine $Process 'A timed worker' | ConvertFrom-Json).perCallUs
}

function Stop-TimedWorker($Process) {
    try { $Process.StandardInput.Close() } catch { Write-Verbose "stdin: $_" }
    if (-not $Process.WaitForExit(5000)) { $Process.Kill($true) }
}

function Measure-FreshPwsh([string] $Command) {
    # Wall time of a whole fresh pwsh process (start, command, exit), in ms; and the last line the command printed.
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $last = Invoke-Child $pwshHost ($pwshPrefix + @('-NoProfile', '-NonInteractive', '-NoLogo', '-Command', $Command))
    [pscustomobject]@{ WallMs = $watch.Elapsed.TotalMilliseconds; Output = $last }
}

function Invoke-BenchChild([hashtable] $Parameters, [string] $Endpoint = $endpoint, [hashtable] $Environment = @{}) {
    $arguments = $pwshPrefix + @('-NoProfile', '-NonInteractive', '-NoLogo', '-File', (Join-Path $here 'Measure-FcBenchChild.ps1'),
        '-ModulePath', $ModulePath, '-Endpoint', $Endpoint)
    foreach ($k in $Parameters.Keys) {
        $arguments += @("-$k", [string]$Parameters[$k])
    }
    Invoke-Child $pwshHost $arguments $Environment | ConvertFrom-Json
}

function Invoke-Server([string] $Method, [string] $Path) {
    Invoke-RestMethod -Method $Method -Uri ($endpoint.TrimEnd('/') + $Path)
}
#endregion

#region Invoke-RestMethod with the ACS3 signature computed in script: what a user without the module would write.
function ConvertTo-HexString([byte[]] $Bytes) { [Convert]::ToHexString($Bytes).ToLowerInvariant() }

function Invoke-FcRestMethod {
    param([string] $Endpoint, [string] $FunctionName, [byte[]] $Body)
    $uri = [Uri]"$($Endpoint.TrimEnd('/'))/2023-03-30/functions/$FunctionName/invocations"
    $bodyHash = ConvertTo-HexString ([Security.Cryptography.SHA256]::HashData($Body))
    $signed = [ordered]@{
        'content-type'          = 'application/octet-stream'
        'host'                  = $uri.Authority
        'x-acs-action'          = 'InvokeFunction'
        'x-acs-content-sha256'  = $bodyHash
        'x-acs-date'            = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $inv)
        'x-acs-signature-nonce' = [Guid]::NewGuid().ToString('N')
        'x-acs-version'         = '2023-03-30'
    }
    $signedNames = $signed.Keys -join ';'
    $canonical = "POST`n$($uri.AbsolutePath)`n`n" + (($signed.GetEnumerator() | ForEach-Object { "$($_.Key):$($_.Value)`n" }) -join '') +
        "`n$signedNames`n$bodyHash"
    $stringToSign = "ACS3-HMAC-SHA256`n" + (ConvertTo-HexString ([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($canonical))))
    $signature = ConvertTo-HexString ([Security.Cryptography.HMACSHA256]::HashData(
            [Text.Encoding]::UTF8.GetBytes($env:ALIBABA_CLOUD_ACCESS_KEY_SECRET), [Text.Encoding]::UTF8.GetBytes($stringToSign)))
    $headers = @{
        'authorization'         = "ACS3-HMAC-SHA256 Credential=$($env:ALIBABA_CLOUD_ACCESS_KEY_ID),SignedHeaders=$signedNames,Signature=$signature"
        'x-acs-action'          = $signed['x-acs-action']
        'x-acs-content-sha256'  = $bodyHash
        'x-acs-date'            = $signed['x-acs-date']
        'x-acs-signature-nonce' = $signed['x-acs-signature-nonce']
        'x-acs-version'         = $signed['x-acs-version']
        'x-fc-invocation-type'  = 'Sync'
        'x-fc-log-type'         = 'None'
    }
    Invoke-RestMethod -Method Post -Uri $uri -Body $Body -ContentType $signed['content-type'] -Headers $headers -SkipHeaderValidation
}
#endregion

$rows = [Collections.Generic.List[object]]::new()
function Add-Row([string] $Section, [string] $Name, [double[]] $Samples, [string] $Unit, $Ratio = $null, [string] $RatioOf = $null,
                 [string] $Target = $null, $Met = $null, [string] $Note = $null) {
    $rows.Add([pscustomobject][ordered]@{
            section = $Section; name = $Name; median = [Math]::Round((Get-Median $Samples), 3); unit = $Unit
            samples = @($Samples | ForEach-Object { [Math]::Round($_, 3) })
            ratio = if ($null -ne $Ratio) { [Math]::Round($Ratio, 3) } else { $null }; ratioOf = $RatioOf
            target = $Target; met = $Met; note = $Note
        })
}
function Get-RowMedian([string] $Name) { ($rows | Where-Object name -EQ $Name | Select-Object -First 1).median }
$skipped = [ordered]@{}

#region server
$server = Start-Child 'dotnet' @($BenchDll, 'serve', '--port', '0')
$line = Read-ChildLine $server 'The bench server'
if ($line -notmatch 'listening on (http://127\.0\.0\.1:\d+)') { throw "The bench server did not start: $line" }
$endpoint = $Matches[1]
Write-Host "Bench server: $endpoint (pid $($server.Id))"
#endregion

$load = { ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ')[0..2] -join ' ' }
$loadBefore = & $load
$started = [DateTime]::UtcNow
$payloadFile = $null
$node = $null
try {
    Import-Module $ModulePath -Force
    $hasThrottleLimit = (Get-Command Invoke-FcFunction).Parameters.ContainsKey('ThrottleLimit')
    $payload = '{"n":1}'
    $payloadBytes = [Text.Encoding]::UTF8.GetBytes($payload)
    $payloads = [string[]]::new($Calls); [Array]::Fill($payloads, $payload)

    #region 1. sequential
    if ($Section -contains 'Sequential') {
        if (-not $NodeDir) { $skipped['node'] = 'no -NodeDir given' }
        elseif (-not (Get-Command node -ErrorAction SilentlyContinue) -or -not (Get-Command npm -ErrorAction SilentlyContinue)) {
            $skipped['node'] = 'Node.js (node and npm) is not on PATH: the official Node.js SDK comparison was skipped.'
        }
        else {
            $modules = Join-Path $NodeDir 'node_modules'
            if (-not (Test-Path (Join-Path $modules '@alicloud/fc20230330')) -or -not (Test-Path (Join-Path $modules '@alicloud/fc-open20210406'))) {
                Write-Host "Installing @alicloud/fc20230330 and @alicloud/fc-open20210406 into $NodeDir (npm)"
                $null = New-Item -ItemType Directory -Force -Path $NodeDir
                & npm install --prefix $NodeDir --no-audit --no-fund --loglevel=error '@alicloud/fc20230330@4' '@alicloud/fc-open20210406@2' 2>&1 |
                    Where-Object { "$_" -notmatch '^npm warn' } | Write-Host
                if ($LASTEXITCODE -ne 0) { $skipped['node'] = "npm install failed (exit $LASTEXITCODE): the Node.js SDK comparison was skipped." }
            }
            if (-not $skipped.Contains('node')) { $node = @{ NODE_PATH = $modules } }
        }
        if ($skipped.Contains('node')) { Write-Warning $skipped['node'] }

        $conn = @{ Endpoint = $endpoint }
        $variants = [ordered]@{
            'Invoke-FcFunction (loop)'          = { foreach ($p in $payloads) { $null = Invoke-FcFunction -FunctionName bench -Payload $p @conn } }
            'Invoke-FcFunction (pipeline)'      = { $null = $payloads | Invoke-FcFunction -FunctionName bench @conn }
            'HttpClient floor (C#)'             = $null
            'Invoke-RestMethod (script-signed)' = { foreach ($i in 1..$payloads.Count) { $null = Invoke-FcRestMethod $endpoint bench $payloadBytes } }
            'FC 2.0 Invoke-FcFunction (pipeline)' = { $null = $payloads | Invoke-FcFunction -FunctionName bench -ServiceName svc @conn }
            'FC 2.0 HttpClient floor (C#)'      = $null
        }
        # External variants are long-lived processes, warmed up once like the in-process ones and timed on request.
        $floorArgs = @($BenchDll, 'floor', '--endpoint', $endpoint, '--calls', '0', '--warmup', '200', '--warmup-ms', $WarmupMs)
        $workerSpecs = [ordered]@{
            'HttpClient floor (C#)'        = @('dotnet', $floorArgs, @{})
            'FC 2.0 HttpClient floor (C#)' = @('dotnet', ($floorArgs + @('--service', 'svc')), @{})
        }
        if ($node) {
            $script = Join-Path $here 'node/sequential.js'
            $variants['Node.js SDK @alicloud/fc20230330'] = $null
            $variants['FC 2.0 Node.js SDK @alicloud/fc-open20210406'] = $null
            $workerSpecs['Node.js SDK @alicloud/fc20230330'] = @('node', @($script, $endpoint, '0', '200', 'fc3', $WarmupMs), $node)
            $workerSpecs['FC 2.0 Node.js SDK @alicloud/fc-open20210406'] = @('node', @($script, $endpoint, '0', '200', 'fc2', $WarmupMs), $node)
        }
        $workers = @{}
        try {
            foreach ($name in $workerSpecs.Keys) {
                Write-Host "Warming up: $name"
                $spec = $workerSpecs[$name]
                $workers[$name] = Start-TimedWorker $spec[0] $spec[1] $spec[2]
            }
            $allPayloads = $payloads
            $payloads = $allPayloads[0..([Math]::Min(200, $Calls) - 1)]
            foreach ($name in $variants.Keys | Where-Object { -not $workers.Contains($_) }) {
                Write-Host "Warming up: $name"
                $warming = [Diagnostics.Stopwatch]::StartNew()
                do { & $variants[$name] } while ($warming.ElapsedMilliseconds -lt $WarmupMs)
            }
            $payloads = $allPayloads

            $perCall = [ordered]@{}
            foreach ($name in $variants.Keys) { $perCall[$name] = [Collections.Generic.List[double]]::new() }
            for ($rep = 1; $rep -le $Repetitions; $rep++) {
                Write-Host "Sequential, repetition $rep of $($Repetitions): $Calls calls per variant"
                foreach ($name in $variants.Keys) {
                    if ($workers.Contains($name)) {
                        $us = Measure-TimedWorker $workers[$name] $Calls
                    }
                    else {
                        [GC]::Collect()
                        $watch = [Diagnostics.Stopwatch]::StartNew()
                        & $variants[$name]
                        $us = $watch.Elapsed.TotalMilliseconds * 1000 / $Calls
                    }
                    $perCall[$name].Add($us)
                }
            }
        }
        finally {
            foreach ($w in $workers.Values) { Stop-TimedWorker $w }
        }
        $floor = Get-Median $perCall['HttpClient floor (C#)']
        $floor2 = Get-Median $perCall['FC 2.0 HttpClient floor (C#)']
        $irm = Get-Median $perCall['Invoke-RestMethod (script-signed)']
        foreach ($name in $variants.Keys) {
            $m = Get-Median $perCall[$name]
            $isV2 = $name -like 'FC 2.0*'
            $base = if ($isV2) { $floor2 } else { $floor }
            $target = $null; $met = $null
            switch ($name) {
                'Invoke-FcFunction (loop)' { $target = '<= 2x floor, < Invoke-RestMethod'; $met = ($m / $floor -le 2) -and ($m -lt $irm) }
                'Invoke-FcFunction (pipeline)' { $target = '<= 1.5x floor, < Invoke-RestMethod'; $met = ($m / $floor -le 1.5) -and ($m -lt $irm) }
            }
            Add-Row 'sequential' $name $perCall[$name] 'us/call' ($m / $base) ($isV2 ? 'FC 2.0 floor' : 'floor') $target $met
        }
    }
    #endregion

    #region 2. fan-out
    if ($Section -contains 'FanOut') {
        $fanOutMemory = $null
        if (-not $hasThrottleLimit) {
            $skipped['fanout'] = 'Invoke-FcFunction has no -ThrottleLimit parameter in this build (the fan-out issue has not landed): fan-out throughput and memory were skipped.'
            Write-Warning $skipped['fanout']
        }
        else {
            foreach ($limit in $ThrottleLimits) {
                $count = if ($FanOutCallsPerSlot -gt 0) { [Math]::Min($FanOutCount, $FanOutCallsPerSlot * $limit) } else { $FanOutCount }
                $ideal = $limit * 1000.0 / $FanOutLatencyMs
                $throughput = [Collections.Generic.List[double]]::new()
                $peaks = [Collections.Generic.List[double]]::new()
                $befores = [Collections.Generic.List[double]]::new()
                $inFlight = [Collections.Generic.List[double]]::new()
                for ($rep = 1; $rep -le $FanOutRepetitions; $rep++) {
                    Write-Host "Fan-out, -ThrottleLimit $limit, repetition $rep of $($FanOutRepetitions): $count calls at $FanOutLatencyMs ms"
                    $null = Invoke-Server Post '/stats/reset'
                    $r = Invoke-BenchChild @{ Mode = 'FanOut'; Count = $count; ThrottleLimit = $limit; LatencyMs = $FanOutLatencyMs }
                    $throughput.Add($count * 1000.0 / $r.elapsedMs)
                    $peaks.Add($r.peakWorkingSet / 1MB)
                    $befores.Add($r.workingSetBefore / 1MB)
                    $inFlight.Add((Invoke-Server Get '/stats').maxInFlight)
                }
                $m = Get-Median $throughput
                $target = if ($limit -eq 32) { '>= 80% of ideal' }
                $met = if ($limit -eq 32) { $m / $ideal -ge 0.8 }
                Add-Row 'fan-out' "-ThrottleLimit $limit ($count calls, $FanOutLatencyMs ms latency)" $throughput 'calls/s' ($m / $ideal) "ideal $ideal calls/s" $target $met `
                    "server saw at most $(Get-Median $inFlight) in flight"
                if ($count -eq $FanOutCount) {
                    $target = if ($limit -eq 32) { '< 150 MB' }
                    $met = if ($limit -eq 32) { (Get-Median $peaks) -lt 150 }
                    Add-Row 'memory' "$count-invocation fan-out, -ThrottleLimit $limit (peak working set)" $peaks 'MB' $null $null $target $met `
                        ("whole pwsh process; {0:0} MB before the run (pwsh, module, warm-up)" -f (Get-Median $befores))
                }
            }
        }
    }
    #endregion

    #region 5. submissions with batch ids
    if ($Section -contains 'Submit') {
        $ideal = 32 * 1000.0 / $FanOutLatencyMs
        $throughput = [Collections.Generic.List[double]]::new()
        $peaks = [Collections.Generic.List[double]]::new()
        $befores = [Collections.Generic.List[double]]::new()
        for ($rep = 1; $rep -le $SubmitRepetitions; $rep++) {
            Write-Host "Submit, repetition $rep of $($SubmitRepetitions): $SubmitCount asynchronous invocations with -AsyncTaskIdPrefix, -ThrottleLimit 32"
            $r = Invoke-BenchChild @{ Mode = 'Submit'; Count = $SubmitCount; ThrottleLimit = 32; LatencyMs = $FanOutLatencyMs; Prefix = "submit$rep-" }
            $throughput.Add($SubmitCount * 1000.0 / $r.elapsedMs)
            $peaks.Add($r.peakWorkingSet / 1MB)
            $befores.Add($r.workingSetBefore / 1MB)
        }
        Add-Row 'submit' "$SubmitCount async invocations, -AsyncTaskIdPrefix, -ThrottleLimit 32 ($FanOutLatencyMs ms latency)" $throughput 'calls/s' `
            ((Get-Median $throughput) / $ideal) "ideal $ideal calls/s" $null $null 'informational: task ids make resends safe, at the fan-out''s speed'
        Add-Row 'submit' "$SubmitCount async invocations, -ThrottleLimit 32 (peak working set)" $peaks 'MB' $null $null $null $null `
            ("whole pwsh process; {0:0} MB before the run" -f (Get-Median $befores))
    }
    #endregion

    #region 6. waiting on many tasks: per-task polling against listings
    if ($Section -contains 'Wait') {
        . (Join-Path $here 'FcBenchTaskText.ps1')
        $taskSeconds = $WaitTaskSeconds
        $emulator = Start-FcEmulator -MaxConcurrency $WaitConcurrency -Function @{ work = [scriptblock]::Create("param(`$Event) Start-Sleep -Seconds $taskSeconds; `"done `$Event`"") }
        $emuEnv = @{
            ALIBABA_CLOUD_ACCESS_KEY_ID = $emulator.AccessKeyId
            ALIBABA_CLOUD_ACCESS_KEY_SECRET = $emulator.Credential.GetNetworkCredential().Password
            ALIBABA_CLOUD_ACCOUNT_ID = $emulator.AccountId
            ALIBABA_CLOUD_REGION_ID = $emulator.Region
        }
        $emuConn = @{ Endpoint = $emulator.Endpoint; Credential = $emulator.Credential; AccountId = $emulator.AccountId; Region = $emulator.Region }
        $digestFile = Join-Path ([IO.Path]::GetTempPath()) "fcbench-wait-$PID.txt"
        $readsOf = {
            $c = $emulator.OperationCounts
            $get = [long]($c['GetAsyncTask'] ?? 0)
            $list = [long]($c['ListAsyncTasks'] ?? 0)
            @(($get + $list), $get, $list)
        }
        $waitRows = [ordered]@{}
        try {
            foreach ($size in $waitCounts) {
                foreach ($strategy in 'PerTask', 'Auto') {
                    Write-Host "Wait, $size tasks of $taskSeconds s, $strategy"
                    $before = & $readsOf
                    $r = Invoke-BenchChild @{ Mode = 'Wait'; Count = $size; ThrottleLimit = 32; Strategy = $strategy; Prefix = "w$size$strategy-"; DigestFile = $digestFile } `
                        -Endpoint $emulator.Endpoint -Environment $emuEnv
                    $after = & $readsOf
                    # What the wait wrote, against Get-FcAsyncTask afterwards (these reads are not counted above).
                    $written = [IO.File]::ReadAllLines($digestFile)
                    $ids = $written | ForEach-Object { if ($_ -match '\|TaskId=([^|]*)\|') { $Matches[1] } }
                    $fresh = @(Get-FcAsyncTask work -TaskId $ids @emuConn | ConvertTo-FcBenchTaskText)
                    $same = [Collections.Generic.HashSet[string]]::new([string[]]$fresh)
                    $differ = @($written | Where-Object { -not $same.Contains($_) }).Count + [Math]::Abs($written.Count - $fresh.Count)
                    $waitRows["$size $strategy"] = [pscustomobject]@{
                        Size = $size; Strategy = $strategy; Reads = $after[0] - $before[0]; Gets = $after[1] - $before[1]; Lists = $after[2] - $before[2]
                        Seconds = $r.elapsedMs / 1000; PeakMB = $r.peakWorkingSet / 1MB; AboveMB = $r.peakAboveBefore / 1MB; Differ = $differ
                    }
                }
            }
        }
        finally {
            $emulator | Stop-FcEmulator
            Remove-Item $digestFile -ErrorAction SilentlyContinue
        }
        foreach ($size in $waitCounts) {
            $per = $waitRows["$size PerTask"]; $auto = $waitRows["$size Auto"]
            $ratio = if ($auto.Reads -gt 0) { $per.Reads / $auto.Reads } else { [double]::PositiveInfinity }
            $target = switch ($size) { 1000 { '>= 10x fewer reads, identical outputs' } 5000 { 'more than at 1,000, identical outputs' } default { 'identical outputs' } }
            $met = ($per.Differ -eq 0) -and ($auto.Differ -eq 0)
            if ($size -eq 1000) { $met = $met -and $ratio -ge 10 }
            if ($size -eq 5000 -and $waitRows.Contains('1000 Auto')) {
                $ratio1000 = $waitRows['1000 PerTask'].Reads / [Math]::Max(1, $waitRows['1000 Auto'].Reads)
                $met = $met -and $ratio -gt $ratio1000
            }
            Add-Row 'wait' "$size tasks of $taskSeconds s, one read per task per round" @($per.Reads / $size) 'reads/task' $null $null $null $null `
                ("{0} reads ({1} Get); {2:0.0} s; {3} differ from Get-FcAsyncTask" -f $per.Reads, $per.Gets, $per.Seconds, $per.Differ)
            Add-Row 'wait' "$size tasks of $taskSeconds s, listings (Auto)" @($auto.Reads / $size) 'reads/task' $ratio 'fewer than per task' $target $met `
                ("{0} reads ({1} List, {2} Get); {3:0.0} s; {4} differ from Get-FcAsyncTask" -f $auto.Reads, $auto.Lists, $auto.Gets, $auto.Seconds, $auto.Differ)
        }
        foreach ($key in $waitRows.Keys | Where-Object { $_ -like "$($waitCounts[-1]) *" }) {
            $w = $waitRows[$key]
            Add-Row 'memory' "wait on $($w.Size) tasks, $($w.Strategy) (peak working set)" @($w.PeakMB) 'MB' $null $null $null $null `
                ("whole pwsh process, {0:0} MB above its start (the {1} invocation results, the tasks written)" -f $w.AboveMB, $w.Size)
        }
    }
    #endregion

    #region 3. import time
    if ($Section -contains 'Import') {
        # Whole-process wall times are noisy (+-50 ms on a shared box): more repetitions than elsewhere, the three kinds
        # of start interleaved, each repetition's difference taken, and the in-process Import-Module time next to it.
        $bare = [Collections.Generic.List[double]]::new()
        $imported = [Collections.Generic.List[double]]::new()
        $firstCall = [Collections.Generic.List[double]]::new()
        $addedWall = [Collections.Generic.List[double]]::new()
        $inside = [Collections.Generic.List[double]]::new()
        # The bare start runs the same Stopwatch lines, so only Import-Module differs between the two.
    $timedImport = "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$($ModulePath -replace "'", "''")'; `$ms = `$w.Elapsed.TotalMilliseconds"
    $timedNothing = "`$w = [Diagnostics.Stopwatch]::StartNew(); `$ms = `$w.Elapsed.TotalMilliseconds"
        $null = Measure-FreshPwsh 'exit'   # the first start warms the disk cache for both sides
        for ($rep = 1; $rep -le $ImportRepetitions; $rep++) {
            Write-Host "Import time, repetition $rep of $ImportRepetitions"
            $runs = @(
                { $script:b = Measure-FreshPwsh "$timedNothing; `$ms.ToString([Globalization.CultureInfo]::InvariantCulture); exit" }
                { $script:i = Measure-FreshPwsh "$timedImport; `$ms.ToString([Globalization.CultureInfo]::InvariantCulture); exit" }
                { $script:f = Measure-FreshPwsh "$timedImport; `$null = Invoke-FcFunction -FunctionName bench -Payload '{}' -Endpoint '$endpoint'; exit" }
            )
            if ($rep % 2 -eq 0) { [Array]::Reverse($runs) }   # alternate the order: a trend in the load favours neither
            foreach ($run in $runs) { & $run }
            $bare.Add($b.WallMs); $imported.Add($i.WallMs); $firstCall.Add($f.WallMs)
            $addedWall.Add($i.WallMs - $b.WallMs)
            $inside.Add([double]::Parse($i.Output, $inv))
        }
        $bareMedian = Get-Median $bare
        $added = Get-Median $addedWall
        Add-Row 'import' 'pwsh -NoProfile, imports nothing' $bare 'ms'
        Add-Row 'import' 'pwsh -NoProfile, Import-Module FcInvoke' $imported 'ms' ((Get-Median $imported) / $bareMedian) 'bare pwsh'
        Add-Row 'import' 'Import-Module FcInvoke: added to pwsh start (per-repetition difference)' $addedWall 'ms' $null $null `
            '< 150 ms added' ($added -lt 150)
        Add-Row 'import' 'Import-Module FcInvoke: inside the fresh pwsh (Stopwatch around it)' $inside 'ms' $null $null $null $null `
            'informational: the import alone, without process noise'
        Add-Row 'import' 'pwsh -NoProfile, Import-Module FcInvoke + first Invoke-FcFunction' $firstCall 'ms' ((Get-Median $firstCall) / $bareMedian) 'bare pwsh' `
            $null $null ("adds {0:0} ms (informational: cold first call)" -f ((Get-Median $firstCall) - $bareMedian))
    }
    #endregion

    #region 4. memory: the 32 MB round trip
    if ($Section -contains 'Memory') {
        $payloadSize = [long]$PayloadMB * 1MB
        $payloadFile = Join-Path ([IO.Path]::GetTempPath()) "fcbench-$PID.bin"
        $random = [byte[]]::new($payloadSize); [Random]::new(42).NextBytes($random)
        [IO.File]::WriteAllBytes($payloadFile, $random); $random = $null
        foreach ($fromFile in @($false, $true)) {
            $peaks = [Collections.Generic.List[double]]::new()
            for ($rep = 1; $rep -le [Math]::Min(3, $Repetitions); $rep++) {
                Write-Host "Memory, $PayloadMB MB round trip ($(if ($fromFile) { '-InputFile' } else { '-Payload byte[]' })), repetition $rep"
                $parameters = @{ Mode = 'RoundTrip'; PayloadBytes = $payloadSize }
                if ($fromFile) { $parameters.InputFile = $payloadFile }
                $r = Invoke-BenchChild $parameters
                $peaks.Add($r.peakAboveBefore / 1MB)
            }
            $m = Get-Median $peaks
            if ($fromFile) {
                Add-Row 'memory' "$PayloadMB MB round trip, -InputFile (peak working set above start)" $peaks 'MB' ($m / $PayloadMB) 'payload' $null $null 'informational: the payload streams from disk'
            }
            else {
                Add-Row 'memory' "$PayloadMB MB round trip, -Payload byte[] (peak working set above start)" $peaks 'MB' ($m / $PayloadMB) 'payload' '< 3x payload' ($m / $PayloadMB -lt 3) `
                    'counts the payload array itself and the result'
            }
        }
    }
    #endregion
}
finally {
    if ($payloadFile) { Remove-Item $payloadFile -ErrorAction SilentlyContinue }
    try { $null = Invoke-Server Post '/shutdown' } catch { Write-Verbose "shutdown: $_" }
    if (-not $server.WaitForExit(5000)) { $server.Kill() }
}

#region report
$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$memTotal = (Get-Content /proc/meminfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'MemTotal:*' }) -replace '[^0-9]', ''
$commit = (& git -C $here rev-parse --short HEAD 2>$null)
$report = [ordered]@{
    date       = $started.ToString('yyyy-MM-ddTHH:mm:ssZ', $inv)
    durationS  = [Math]::Round(([DateTime]::UtcNow - $started).TotalSeconds, 1)
    machine    = [ordered]@{
        os = [Runtime.InteropServices.RuntimeInformation]::OSDescription; cpu = $cpu; cores = [Environment]::ProcessorCount
        memoryGB = if ($memTotal) { [Math]::Round([double]$memTotal / 1MB, 1) } else { $null }
        loadBefore = $loadBefore; loadAfter = & $load
        pwsh = $PSVersionTable.PSVersion.ToString(); dotnet = [Environment]::Version.ToString()
        node = if ($node) { (& node --version) } else { $null }
    }
    commit     = $commit
    parameters = [ordered]@{
        calls = $Calls; repetitions = $Repetitions; warmupMs = $WarmupMs; fanOutRepetitions = $FanOutRepetitions; importRepetitions = $ImportRepetitions; fanOutCount = $FanOutCount
        fanOutCallsPerSlot = $FanOutCallsPerSlot; fanOutLatencyMs = $FanOutLatencyMs; throttleLimits = $ThrottleLimits; payloadMB = $PayloadMB
        submitCount = $SubmitCount; submitRepetitions = $SubmitRepetitions; waitSizes = $waitCounts; waitTaskSeconds = $WaitTaskSeconds; waitConcurrency = $WaitConcurrency
    }
    skipped    = $skipped
    results    = $rows
}
if ($OutFile) {
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $OutFile)
    $report | ConvertTo-Json -Depth 6 | Set-Content -Path $OutFile -Encoding utf8NoBOM
}

$rows | Format-Table -AutoSize -Wrap @(
    @{ n = 'section'; e = 'section' }, @{ n = 'measurement'; e = 'name' }
    @{ n = 'median'; e = { ($_.unit -eq 'reads/task' ? '{0:0.000} {1}' : '{0:0.0} {1}') -f $_.median, $_.unit }; a = 'right' }
    @{ n = 'ratio'; e = { if ($null -ne $_.ratio) { ($_.ratio -ge 10 ? '{0:0}x {1}' : '{0:0.00}x {1}') -f $_.ratio, $_.ratioOf } } }
    @{ n = 'target'; e = { if ($_.target) { '{0} {1}' -f $_.target, ($_.met ? 'MET' : 'MISSED') } } }
    @{ n = 'note'; e = 'note' }
) | Out-String -Width 220 | Write-Host
foreach ($s in $skipped.Values) { Write-Host "Skipped: $s" }
Write-Host ("{0} | {1} cores | load {2} -> {3} | {4:0} s" -f $report.machine.cpu, $report.machine.cores, $report.machine.loadBefore, $report.machine.loadAfter, $report.durationS)
if ($OutFile) { Write-Host "Written: $OutFile" }
#endregion
