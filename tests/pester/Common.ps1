# Shared set-up for the Pester suite: dot-source from BeforeAll.
# The module under test is the built one (out/FcInvoke), passed by tests/Invoke-PesterSuite.ps1.
$modulePath = if ($env:FCINVOKE_TEST_MODULE) { $env:FCINVOKE_TEST_MODULE } else { Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1' }
Import-Module $modulePath -Force
$script:FcTestModulePath = (Resolve-Path $modulePath).Path

# Tests never read the developer's own Alibaba Cloud configuration or reach a cloud address.
foreach ($name in @(Get-ChildItem env: | Where-Object Name -like 'ALIBABA_CLOUD_*').Name) { Remove-Item "env:$name" }
$env:ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
Remove-Item env:FCINVOKE_ECS_METADATA_ENDPOINT -ErrorAction SilentlyContinue
# The home folder the module reads profiles from (~/.aliyun, ~/.alibabacloud) is an empty one of the test run.
$script:FcTestHome = Join-Path ([IO.Path]::GetTempPath()) "fcinvoke-test-home-$PID"
$null = New-Item -ItemType Directory -Force -Path $script:FcTestHome
$env:HOME = $script:FcTestHome
$env:USERPROFILE = $script:FcTestHome
# The loopback guard: the module refuses to send anything to a non-loopback address for the whole run.
$env:FCINVOKE_LOOPBACK_ONLY = 'true'

function Get-FcTestConnection {
    # The parameters that point a cmdlet at an emulator: splat them (@conn).
    param([Parameter(Mandatory)] $Emulator)
    @{ Endpoint = $Emulator.Endpoint; Credential = $Emulator.Credential; AccountId = $Emulator.AccountId; Region = $Emulator.Region }
}

function Get-FcTestSecret {
    # The secret half of the emulator's key pair, for tests that prove it never leaks.
    param([Parameter(Mandatory)] $Emulator)
    $Emulator.Credential.GetNetworkCredential().Password
}

function Wait-FcTestCondition {
    # Polls until the script block returns true; fails after the timeout.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSec = 20, [string] $Because = 'the condition held')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting until $Because." }
        Start-Sleep -Milliseconds 50
    }
}

function Get-FcTestHostOutput {
    # Everything a script block shows, host-only text such as -WhatIf messages included, as one string. The script block
    # runs in a runspace of its own that has no host, so nothing reaches the console: a transcript records the host-only
    # text and every stream is captured as text. That runspace imports the module and gets the variables and functions
    # the script block names, as the caller sees them (objects are shared, not copied: same process).
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $fcHostAutomatic = 'true', 'false', 'null', '_', 'PSItem', 'args', 'input', 'Error', 'this', 'PSCmdlet', 'MyInvocation',
                       'PSBoundParameters', 'ExecutionContext', 'Host', 'PSScriptRoot', 'PSCommandPath', 'LASTEXITCODE', 'Matches'
    $fcHostVariables = @{}
    foreach ($fcHostNode in $ScriptBlock.Ast.FindAll({ param($a) $a -is [Management.Automation.Language.VariableExpressionAst] }, $true)) {
        if ($fcHostNode.VariablePath.IsDriveQualified) { continue }  # $env:NAME and the like: the process's, not the scope's
        $fcHostName = $fcHostNode.VariablePath.UserPath -replace '^(script|global|local|private):', ''
        if ($fcHostName -in $fcHostAutomatic -or $fcHostVariables.ContainsKey($fcHostName)) { continue }
        $fcHostFound = Get-Variable -Name $fcHostName -ErrorAction Ignore   # dynamic scope: what the caller sees
        if ($fcHostFound) { $fcHostVariables[$fcHostName] = $fcHostFound.Value }
    }
    $fcHostFunctions = @{}
    foreach ($fcHostNode in $ScriptBlock.Ast.FindAll({ param($a) $a -is [Management.Automation.Language.CommandAst] }, $true)) {
        $fcHostName = $fcHostNode.GetCommandName()
        if (-not $fcHostName -or $fcHostFunctions.ContainsKey($fcHostName)) { continue }
        $fcHostFound = Get-Command -Name $fcHostName -CommandType Function -ErrorAction Ignore
        if ($fcHostFound -and -not $fcHostFound.ModuleName) { $fcHostFunctions[$fcHostName] = $fcHostFound.ScriptBlock.ToString() }
    }
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript({
            param($ModulePath, $Variables, $Functions, $Text)
            Import-Module $ModulePath -ErrorAction Stop
            foreach ($entry in $Variables.GetEnumerator()) { Set-Variable -Name $entry.Key -Value $entry.Value -Scope Global }
            foreach ($entry in $Functions.GetEnumerator()) { Set-Item -Path "function:global:$($entry.Key)" -Value $entry.Value }
            $path = Join-Path ([IO.Path]::GetTempPath()) ("fcinvoke-transcript-" + [guid]::NewGuid() + '.txt')
            $null = Start-Transcript -Path $path -UseMinimalHeader
            try { $streams = & ([scriptblock]::Create($Text)) *>&1 | Out-String -Width 400 }
            finally { $null = Stop-Transcript }
            try { (Get-Content -Path $path -Raw) + $streams } finally { Remove-Item $path -ErrorAction SilentlyContinue }
        }).AddArgument($script:FcTestModulePath).AddArgument($fcHostVariables).AddArgument($fcHostFunctions).AddArgument($ScriptBlock.ToString())
        $text = $ps.Invoke()
        if ($ps.Streams.Error.Count -gt 0) { throw "Capturing the host output failed: $($ps.Streams.Error[0])" }
        -join $text
    }
    finally { $ps.Dispose() }
}

function Invoke-FcTestPipelineStop {
    # Runs a command in its own runspace (the script block gets the module path, then -ArgumentList), waits until
    # -Started holds, then stops it the way Ctrl+C does, and returns the final state. Stop() must return within
    # -TimeoutSec: a hang guard with a generous margin, not a measurement; what the stop did (calls abandoned, nothing
    # started afterwards) is for the caller to assert on what it can observe.
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [Parameter(Mandatory)] [scriptblock] $Started,
        [int] $TimeoutSec = 30
    )
    $ps = [powershell]::Create()
    $hung = $false
    try {
        $null = $ps.AddScript($ScriptBlock).AddArgument($script:FcTestModulePath)
        foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
        $running = $ps.BeginInvoke()
        Wait-FcTestCondition { $running.IsCompleted -or (& $Started) } -Because 'the command started'
        if ($running.IsCompleted) { throw "The command ended before it could be stopped: $($ps.Streams.Error | Select-Object -First 1)" }
        $stopping = $ps.BeginStop($null, $null)
        if (-not $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))) {
            $hung = $true  # disposing would wait for the stop too
            throw "Stop() did not return within $TimeoutSec s."
        }
        $ps.EndStop($stopping)
        $ps.InvocationStateInfo.State
    }
    finally { if (-not $hung) { $ps.Dispose() } }
}

function Set-FcTestShared {
    # Publishes an object to the emulated functions, which run in the emulator's runspace pool in this process and read it
    # with [AppDomain]::CurrentDomain.GetData($Name): latches (ManualResetEventSlim), barriers, counters. $null removes it.
    param([Parameter(Mandatory)] [string] $Name, $Value)
    [AppDomain]::CurrentDomain.SetData($Name, $Value)
    $Value
}

function Wait-FcTestClockTick {
    # Returns once the millisecond clock (the one the emulator stamps tasks with) has moved past its value at the call,
    # so whatever starts afterwards gets a later time than whatever finished before.
    $start = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    while ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() -le $start) { [Threading.Thread]::Yield() > $null }
}

function Invoke-FcTestPwsh {
    # Runs a script in a fresh pwsh (no profile) and returns its output lines: for what must hold in a clean session.
    param([Parameter(Mandatory)] [string] $Script)
    $exe = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location) }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$ProgressPreference = 'SilentlyContinue'`n" + $Script))
    & $exe @prefix -NoProfile -NonInteractive -EncodedCommand $encoded
}

# ---- Test hooks: internal members of the module, reached by reflection (PSResourceGet's InternalHooks idea), so the
# ---- public surface stays what users are promised.
function Invoke-FcTestHook {
    # Calls an internal (or public) instance method of a module object, e.g. the emulator's AcceptKey.
    param([Parameter(Mandatory)] $Target, [Parameter(Mandatory)] [string] $Method, [object[]] $ArgumentList = @())
    $flags = [Reflection.BindingFlags]'Instance,Public,NonPublic'
    $info = $Target.GetType().GetMethod($Method, $flags)
    if (-not $info) { throw "No method '$Method' on $($Target.GetType().FullName)." }
    $info.Invoke($Target, $ArgumentList)
}

function Set-FcTestEmulatorFaults {
    # Replaces a running emulator's injected faults; no rates clears them. Takes FcEmulatorFaults' constructor arguments.
    param([Parameter(Mandatory)] $Emulator, [object[]] $Rates = @())
    $faults = if ($Rates.Count -eq 0) { $null } else { New-Object FcInvoke.Emulator.FcEmulatorFaults -ArgumentList $Rates }
    $Emulator.GetType().GetProperty('Faults').GetSetMethod($true).Invoke($Emulator, @([FcInvoke.Emulator.FcEmulatorFaults]$faults))
}

function Set-FcTestEmulatorListingLag {
    # Makes the emulator's task listings lag behind (they show the tasks as they stood this long ago; a task appears in
    # listings only this long after it was accepted). 0 ends the lag. GetAsyncTask is never behind.
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [int] $Milliseconds)
    $Emulator.GetType().GetProperty('ListingLag', [Reflection.BindingFlags]'Instance,NonPublic').SetValue($Emulator, [TimeSpan]::FromMilliseconds($Milliseconds))
}

function Set-FcTestWaitStrategy {
    # Chooses how every later Wait-FcAsyncTask in this process learns task states: Auto (listings where they cost fewer
    # reads, what users get) or PerTask (one GetAsyncTask per task per round, for comparison). Returns the previous one.
    param([Parameter(Mandatory)] [ValidateSet('Auto', 'PerTask')] [string] $Strategy)
    $property = [FcInvoke.FcAsyncTask].Assembly.GetType('FcInvoke.Core.FcAsyncTaskWaiter').GetProperty('DefaultStrategy', [Reflection.BindingFlags]'Static,NonPublic')
    $previous = "$($property.GetValue($null))"
    $property.SetValue($null, [Enum]::Parse($property.PropertyType, $Strategy))
    $previous
}

function Get-FcTestTaskReads {
    # The task reads the emulator answered since its counters were last reset: single tasks (Get) and listing pages (List),
    # both API versions together.
    param([Parameter(Mandatory)] $Emulator)
    $counts = $Emulator.OperationCounts
    $get = 0; $list = 0
    foreach ($name in 'GetAsyncTask', 'GetStatefulAsyncInvocation') { if ($counts.ContainsKey($name)) { $get += $counts[$name] } }
    foreach ($name in 'ListAsyncTasks', 'ListStatefulAsyncInvocations') { if ($counts.ContainsKey($name)) { $list += $counts[$name] } }
    [pscustomobject]@{ Get = $get; List = $list; Total = $get + $list }
}

function ConvertTo-FcTestTaskText {
    # Every field of an async task, events included, as one line of text: two tasks are the same when their texts are.
    param([Parameter(Mandatory, ValueFromPipeline)] $Task)
    process {
        $fields = foreach ($p in $Task.PSObject.Properties | Where-Object Name -ne 'Events' | Sort-Object Name) {
            $value = $p.Value
            if ($value -is [DateTimeOffset]) { $value = $value.ToString('o', [cultureinfo]::InvariantCulture) }
            "$($p.Name)=$value"
        }
        ($fields -join '|') + '|Events=' + (($Task.Events | ForEach-Object { "$($_.EventId),$($_.Status),$(if ($_.Time) { $_.Time.ToString('o', [cultureinfo]::InvariantCulture) }),$($_.Detail)" }) -join ';')
    }
}

function Reset-FcTestEmulator {
    # Forgets the emulator's request journal and execution counts.
    param([Parameter(Mandatory)] $Emulator)
    $null = Invoke-FcTestHook $Emulator ResetCounters
}

function Add-FcTestEmulatorKey {
    # Makes the emulator accept another key pair (with a token: an STS credential).
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $AccessKeyId, [Parameter(Mandatory)] [string] $AccessKeySecret, [string] $SecurityToken)
    $null = Invoke-FcTestHook $Emulator AcceptKey @($AccessKeyId, $AccessKeySecret, $SecurityToken)
}

function Clear-FcTestCompletionCache {
    # Completers cache FC's answers for a minute; tests that count requests start from an empty cache.
    $type = (Get-Command Invoke-FcFunction).ImplementingType.Assembly.GetType('FcInvoke.Commands.FcRemoteCompleter')
    $null = $type.GetMethod('ClearCache', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @())
}

# Loopback servers and hand-made requests for the tests that need them (split out to keep this file short).
. $PSScriptRoot/HoldingServer.ps1
. $PSScriptRoot/SignedRequests.ps1
