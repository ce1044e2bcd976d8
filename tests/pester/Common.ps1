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
    # Everything a script block shows, host-only text such as -WhatIf messages included (captured with a transcript).
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $path = Join-Path ([IO.Path]::GetTempPath()) ("fcinvoke-transcript-" + [guid]::NewGuid() + '.txt')
    $null = Start-Transcript -Path $path -UseMinimalHeader
    try { & $ScriptBlock *>&1 | Out-String -Width 400 | Write-Host } finally { $null = Stop-Transcript }
    try { Get-Content -Path $path -Raw } finally { Remove-Item $path -ErrorAction SilentlyContinue }
}

function Measure-FcTestPipelineStop {
    # Runs a command in its own runspace (the script block gets the module path, then -ArgumentList), waits until
    # -Started holds, then stops it the way Ctrl+C does. Returns how long Stop() took and the final state.
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [Parameter(Mandatory)] [scriptblock] $Started
    )
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript($ScriptBlock).AddArgument($script:FcTestModulePath)
        foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
        $null = $ps.BeginInvoke()
        Wait-FcTestCondition $Started -Because 'the command started'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Stop()
        [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; State = $ps.InvocationStateInfo.State }
    }
    finally { $ps.Dispose() }
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
