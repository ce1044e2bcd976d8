# The emulator's fidelity and lifecycle over real HTTP (issue 12): clients that leave (499), Stop, async task queueing,
# aliases resolving to versions, the operations it serves in FC's JSON shapes, and many concurrent keep-alive clients.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    function New-LatchedFunction {
        # A function that waits on a latch (in a loop PowerShell can stop) and records in a shared table whether it
        # completed and that its finally block ran; returns the script text and the table.
        param([string] $Latch, [string] $Result = 'finished')
        $stateName = "$Latch-state"
        [AppDomain]::CurrentDomain.SetData($stateName, [System.Collections.Concurrent.ConcurrentDictionary[string, object]]::new())
        $script = "param(`$Event) `$state = [AppDomain]::CurrentDomain.GetData('$stateName'); try { `$l = [AppDomain]::CurrentDomain.GetData('$Latch'); while (-not `$l.Wait(20)) { }; `$state['completed'] = `$true; '$Result' } finally { `$state['finally'] = `$true }"
        [pscustomobject]@{ Script = $script; State = [AppDomain]::CurrentDomain.GetData($stateName) }
    }
}

Describe 'A client that leaves' {
    It 'is journaled as 499 once its function finished, with the function''s own outcome' {
        $latch = New-FcTestLatch
        $fn = New-LatchedFunction $latch
        $emu = Start-FcEmulator -Function @{ wait = $fn.Script }
        try {
            $conn = Get-FcTestConnection $emu
            $r = Invoke-FcFunction wait 'x' -TimeoutSec 1 @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcTimeout*'
            $emu.ExecutionCounts['wait'] | Should -Be 1
            (Get-FcTestLatch $latch).Set()
            Wait-FcTestCondition { @($emu.RecentRequests | Where-Object StatusCode -eq 499).Count -eq 1 } -Because 'the request was journaled'
            $entry = $emu.RecentRequests | Where-Object StatusCode -eq 499
            $entry.FunctionOutcome | Should -Be 'Succeeded'
            $entry.Path | Should -Be '/2023-03-30/functions/wait/invocations'
            $fn.State['completed'] | Should -BeTrue
        }
        finally { $emu | Stop-FcEmulator }
    }
}

Describe 'Stop-FcEmulator' {
    It 'returns at once whatever is open: in-flight requests are reset, never answered 200, and running functions are cancelled' {
        $latch = New-FcTestLatch
        $fn = New-LatchedFunction $latch
        $emu = Start-FcEmulator -Function @{ wait = $fn.Script; echo = { param($Event) $Event } }
        $ps = [powershell]::Create()
        $clients = @()
        try {
            $conn = Get-FcTestConnection $emu
            $null = $ps.AddScript({ param($ModulePath, $Conn) Import-Module $ModulePath; Invoke-FcFunction wait 'x' @Conn -MaxRetries 0 }).AddArgument($FcTestModulePath).AddArgument($conn)
            $running = $ps.BeginInvoke()
            Wait-FcTestCondition { $emu.ExecutionCounts['wait'] -eq 1 } -Because 'the function runs'

            # Three stalled authenticated uploads, a connection stuck in its head, and an idle keep-alive connection.
            $clients = @(1..3 | ForEach-Object {
                $headers = New-FcTestSignedHeaders $emu -Path '/2023-03-30/functions/echo/invocations' -Body ([byte[]][char[]]'x') -ContentSha256 ('0' * 64)
                $c = Open-FcTestSocket $emu
                Send-FcTestRawBytes $c ("POST /2023-03-30/functions/echo/invocations HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nContent-Length: $(1MB)`r`n`r`nfirst bytes")
                $c
            })
            $stuck = Open-FcTestSocket $emu
            Send-FcTestRawBytes $stuck "POST /2023-03-30/functions/echo/invocations HTTP/1.1`r`nHost: x`r`n"
            $idle = Open-FcTestSocket $emu
            $headers = New-FcTestSignedHeaders $emu -Method GET -Path '/2023-03-30/functions'
            Send-FcTestRawBytes $idle ("GET /2023-03-30/functions HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`n`r`n")
            (Read-FcTestRawResponse $idle).Status | Should -Be 200
            $clients += $stuck, $idle
            Wait-FcTestCondition { (Get-FcTestEmulatorDiagnostics $emu).OpenConnections -ge 6 } -Because 'every connection is open'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $emu | Stop-FcEmulator
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'Stop does not wait for connections (a hang guard; it takes well under a second)'

            foreach ($c in $clients) {
                $response = Read-FcTestRawResponse $c
                $response.Status | Should -Be 0 -Because 'a request Stop interrupted gets no answer, never an empty 200'
            }
            $null = $ps.EndInvoke($running)
            $ps.Streams.Error | Should -HaveCount 1
            $ps.Streams.Error[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed*'
            Wait-FcTestCondition { $fn.State['finally'] } -Because 'the running function was stopped'
            $fn.State['completed'] | Should -BeNullOrEmpty
            $emu.IsRunning | Should -BeFalse
        }
        finally {
            $clients | ForEach-Object Dispose
            $ps.Dispose()
            (Get-FcTestLatch $latch).Set()
        }
    }
}

Describe 'Async tasks wait for a slot' {
    BeforeAll {
        $script:latch = New-FcTestLatch
        $script:order = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        [AppDomain]::CurrentDomain.SetData("$latch-order", $order)
        $script:emu = Start-FcEmulator -MaxConcurrency 1 -Function @{
            queued = "param(`$Event) [AppDomain]::CurrentDomain.GetData('$latch-order').Enqueue(`$Event); if (`$Event -eq 'A') { `$l = [AppDomain]::CurrentDomain.GetData('$latch'); while (-not `$l.Wait(20)) { } }; `"ran `$Event`""
        } -Alias @{ queued = 'prod' }
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { (Get-FcTestLatch $latch).Set(); $emu | Stop-FcEmulator }

    It 'keeps tasks Enqueued while the only slot is busy, then runs them in the order they were accepted' {
        $null = Invoke-FcFunction queued 'A' -AsyncTaskId 'task-A' @conn
        Wait-FcTestCondition { (Get-FcAsyncTask queued -TaskId 'task-A' @conn).Status -eq 'Running' } -Because 'A runs'
        foreach ($id in 'B', 'C', 'D', 'E') { $null = Invoke-FcFunction queued $id -AsyncTaskId "task-$id" @conn }
        $waiting = 'B', 'C', 'D', 'E' | ForEach-Object { Get-FcAsyncTask queued -TaskId "task-$_" @conn }
        $waiting.Status | Sort-Object -Unique | Should -Be 'Enqueued'
        $waiting | ForEach-Object { $_.Events.Status | Should -Be @('Enqueued') }
        $emu.ExecutionCounts['queued'] | Should -Be 1

        (Get-FcTestLatch $latch).Set()
        $done = 'A', 'B', 'C', 'D', 'E' | ForEach-Object { "task-$_" } | ForEach-Object { Wait-FcAsyncTask queued -TaskId $_ @conn }
        $done.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        @($order.ToArray()) | Should -Be @('A', 'B', 'C', 'D', 'E')

        $a = $done[0]; $b = $done[1]
        $b.Events.Status | Should -Be @('Enqueued', 'Dequeued', 'Running', 'Succeeded')
        $bRunning = ($b.Events | Where-Object Status -eq 'Running').Time
        $bRunning | Should -BeGreaterOrEqual $a.EndTime -Because 'B ran only once A had left the slot'
        $b.Duration.TotalMilliseconds | Should -BeLessOrEqual (($b.EndTime - $bRunning).TotalMilliseconds + 1) -Because 'durationMs measures the run, not the wait'
        ($b.EndTime - $b.StartedTime) | Should -BeGreaterThan $b.Duration
    }

    It 'stops a task that is still waiting for its slot without running it' {
        (Get-FcTestLatch $latch).Reset()
        $null = Invoke-FcFunction queued 'A' -AsyncTaskId 'task-A2' @conn
        Wait-FcTestCondition { (Get-FcAsyncTask queued -TaskId 'task-A2' @conn).Status -eq 'Running' } -Because 'A2 holds the slot'
        $null = Invoke-FcFunction queued 'A' -AsyncTaskId 'task-A3' @conn
        $stopped = Stop-FcAsyncTask queued -TaskId 'task-A3' @conn -PassThru -Confirm:$false
        $stopped.Status | Should -Be 'Stopped'
        (Get-FcTestLatch $latch).Set()
        (Wait-FcAsyncTask queued -TaskId 'task-A2' @conn).Status | Should -Be 'Succeeded'
        (Get-FcAsyncTask queued -TaskId 'task-A3' @conn).Events.Status | Should -Be @('Enqueued', 'Stopped')
    }

    It 'lists only the qualifier asked for' {
        $null = Invoke-FcFunction queued 'q1' -AsyncTaskId 'qual-1' -Qualifier prod @conn
        $null = Invoke-FcFunction queued 'q2' -AsyncTaskId 'qual-2' @conn
        $null = Invoke-FcFunction queued 'q3' -AsyncTaskId 'qual-3' -Qualifier prod @conn
        (Get-FcAsyncTask queued -TaskIdPrefix 'qual-' -Qualifier prod @conn).TaskId | Should -Be @('qual-1', 'qual-3')
        (Get-FcAsyncTask queued -TaskIdPrefix 'qual-' @conn).TaskId | Should -Be @('qual-1', 'qual-2', 'qual-3')
        (Get-FcAsyncTask queued -TaskId 'qual-1' -Qualifier prod @conn).Qualifier | Should -Be 'prod'
        Get-FcAsyncTask queued -TaskId 'qual-2' -Qualifier prod @conn -ErrorVariable notThere -ErrorAction SilentlyContinue
        $notThere[0].Exception.ErrorCode | Should -Be 'AsyncTaskNotFound' -Because 'qual-2 was invoked at LATEST'
        Get-FcAsyncTask queued -TaskIdPrefix 'qual-' -Qualifier staging @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'AliasNotFound'
    }
}

Describe 'Aliases resolve to versions as FC resolves them' {
    BeforeAll {
        $script:emu = Start-FcEmulator -Function @{
            'aliased'  = { param($Event, $Context) "$($Context.Qualifier)->$($Context.Version)" }
            'plain'    = { param($Event, $Context) $Context.Version }
            'svc/a'    = { param($Event, $Context) $Context.Version }
            'svc/b'    = { param($Event, $Context) $Context.Version }
        } -Alias @{
            'aliased' = @{ prod = 2; canary = @{ Version = 2; AdditionalVersionWeight = @{ '3' = 1.0 } } }
            'svc/a'   = 'live'
        }
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'runs <Qualifier> as version <Version> and says so in x-fc-invocation-service-version' -ForEach @(
        @{ Qualifier = 'prod'; Version = '2' }
        @{ Qualifier = 'canary'; Version = '3' }
        @{ Qualifier = 'LATEST'; Version = 'LATEST' }
        @{ Qualifier = '3'; Version = '3' }
    ) {
        $r = Invoke-FcFunction aliased -Qualifier $Qualifier @conn
        $r.ExecutedVersion | Should -Be $Version
        $r.Result | Should -Be "$Qualifier->$Version"
    }

    It 'answers FC''s 404 for a qualifier the function does not declare' {
        Reset-FcTestEmulator $emu
        Invoke-FcFunction aliased -Qualifier staging @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.StatusCode | Should -Be 404
        $err[0].Exception.ErrorCode | Should -Be 'AliasNotFound'
        $err[0].Exception.Message | Should -Match "alias 'staging' of function 'aliased' does not exist"
        Invoke-FcFunction aliased -Qualifier 9 @conn -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].Exception.ErrorCode | Should -Be 'VersionNotFound'
        $emu.ExecutionCounts['aliased'] | Should -Be 0
    }

    It 'lets a function with nothing declared run any valid qualifier (an alias name runs LATEST)' {
        (Invoke-FcFunction plain -Qualifier anything @conn).ExecutedVersion | Should -Be 'LATEST'
        (Invoke-FcFunction plain -Qualifier 5 @conn).ExecutedVersion | Should -Be '5'
    }

    It 'shares FC 2.0 aliases across the service''s functions' {
        (Invoke-FcFunction b -ServiceName svc -Qualifier live @conn).ExecutedVersion | Should -Be '1'
        Invoke-FcFunction b -ServiceName svc -Qualifier nope @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'AliasNotFound'
        $err[0].Exception.Message | Should -Match "of service 'svc'"
    }

    It 'agrees with Get-FcFunction and the alias listings' {
        (Get-FcFunction aliased -Qualifier prod @conn).FunctionName | Should -Be 'aliased'
        Get-FcFunction aliased -Qualifier staging @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'AliasNotFound'
        $list = Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/aliased/aliases'
        $list.Json.aliases.aliasName | Should -Be @('canary', 'prod')
        $canary = (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/aliased/aliases/canary').Json
        $canary.versionId | Should -Be '2'
        $canary.additionalVersionWeight.'3' | Should -Be 1
        (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/aliased/versions').Json.versions.versionId | Should -Be @('2', '3')
        $live = (Send-FcTestSignedRequest $emu -Method GET -Path '/2021-04-06/services/svc/aliases/live').Json
        $live.aliasName | Should -Be 'live'
        $live.versionId | Should -Be '1'
        $missing = Send-FcTestSignedRequest $emu -Method GET -Path '/2021-04-06/services/svc/aliases/gone'
        $missing.StatusCode | Should -Be 404
        $missing.Json.ErrorCode | Should -Be 'AliasNotFound'
    }

    It 'refuses declarations FC would refuse (<Case>)' -ForEach @(
        @{ Case = 'an alias on LATEST'; Functions = @{ f = { } }; Alias = @{ f = @{ prod = 'LATEST' } } }
        @{ Case = 'a weight over 1'; Functions = @{ f = { } }; Alias = @{ f = @{ c = @{ Version = 1; AdditionalVersionWeight = @{ '2' = 2 } } } } }
        @{ Case = 'FC 2.0 functions disagreeing on a service alias'; Functions = @{ 's/a' = { }; 's/b' = { } }; Alias = @{ 's/a' = @{ p = 1 }; 's/b' = @{ p = 2 } } }
        @{ Case = 'an unknown setting'; Functions = @{ f = { } }; Alias = @{ f = @{ p = @{ Versoin = 1 } } } }
    ) {
        { Start-FcEmulator -Function $Functions -Alias $Alias } | Should -Throw -ErrorId 'FcEmulatorInvalidAlias,FcInvoke.Commands.StartFcEmulatorCommand'
        Get-FcEmulator | Where-Object { $_.Functions -contains 'f' -or $_.Functions -contains 's/a' } | Should -BeNullOrEmpty
    }
}

Describe 'The operations a runbook may call, in FC''s JSON shapes' {
    BeforeAll {
        $script:emu = Start-FcEmulator -Function @{ 'fn' = { param($Event) $Event }; 'svc/fn' = { param($Event) $Event } } -Alias @{ fn = 'prod' }
        function Get-Api { param([string] $Path, [string] $Query = '') Send-FcTestSignedRequest $emu -Method GET -Path $Path -Query $Query }
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'serves FC 3.0 GetAsyncInvokeConfig with the task-mode flag, at a resolved qualifier' {
        $r = Get-Api '/2023-03-30/functions/fn/async-invoke-config'
        $r.StatusCode | Should -Be 200
        $r.Json.asyncTask | Should -BeTrue
        $r.Json.functionArn | Should -Be "acs:fc:$($emu.Region):$($emu.AccountId):functions/fn"
        $r.Json.maxAsyncEventAgeInSeconds | Should -Be 86400
        $r.Json.maxAsyncRetryAttempts | Should -Be 0
        (Get-Api '/2023-03-30/functions/fn/async-invoke-config' 'qualifier=prod').StatusCode | Should -Be 200
        (Get-Api '/2023-03-30/functions/fn/async-invoke-config' 'qualifier=beta').Code | Should -Be 'AliasNotFound'
    }

    It 'serves FC 3.0 ListAsyncInvokeConfigs, all or for one function' {
        (Get-Api '/2023-03-30/async-invoke-configs').Json.configs.functionArn | Should -Be "acs:fc:$($emu.Region):$($emu.AccountId):functions/fn"
        (Get-Api '/2023-03-30/async-invoke-configs' 'functionName=other').Json.configs | Should -BeNullOrEmpty
    }

    It 'serves FC 2.0 GetFunctionAsyncInvokeConfig, ListFunctionAsyncInvokeConfigs and ListStatefulAsyncInvocationFunctions' {
        $one = (Get-Api '/2021-04-06/services/svc/functions/fn/async-invoke-config').Json
        $one.statefulInvocation | Should -BeTrue
        $one.service | Should -Be 'svc'
        $one.function | Should -Be 'fn'
        $one.qualifier | Should -Be 'LATEST'
        (Get-Api '/2021-04-06/services/svc/functions/fn/async-invoke-configs').Json.configs.statefulInvocation | Should -BeTrue
        $stateful = (Get-Api '/2021-04-06/stateful-async-invocation-functions').Json.data
        $stateful.serviceName | Should -Be 'svc'
        $stateful.functionName | Should -Be 'fn'
    }

    It 'serves ListTriggers (none declared) and answers GetTrigger of an unknown trigger with 404, on both versions' {
        (Get-Api '/2023-03-30/functions/fn/triggers').Json.triggers | Should -BeNullOrEmpty
        (Get-Api '/2023-03-30/functions/fn/triggers').Text | Should -Be '{"triggers":[]}'
        (Get-Api '/2021-04-06/services/svc/functions/fn/triggers').Text | Should -Be '{"triggers":[]}'
        $missing = Get-Api '/2023-03-30/functions/fn/triggers/nope'
        $missing.StatusCode | Should -Be 404
        $missing.Code | Should -Be 'TriggerNotFound'
    }

    It 'answers 404 for functions and services that do not exist' {
        (Get-Api '/2023-03-30/functions/ghost/triggers').Code | Should -Be 'FunctionNotFound'
        (Get-Api '/2021-04-06/services/ghost/aliases').Code | Should -Be 'ServiceNotFound'
        (Get-Api '/2023-03-30/functions/ghost/aliases/prod').Code | Should -Be 'FunctionNotFound'
    }
}

Describe 'Ports' {
    It 'refuses a -Port that is in use with FcEmulatorPortUnavailable' {
        $first = Start-FcEmulator -Function @{ f = { } }
        try {
            { Start-FcEmulator -Function @{ f = { } } -Port $first.Port } | Should -Throw -ErrorId 'FcEmulatorPortUnavailable,FcInvoke.Commands.StartFcEmulatorCommand'
        }
        finally { $first | Stop-FcEmulator }
    }
}

Describe 'Many concurrent keep-alive clients' {
    It 'answers 50 clients x 10 signed invocations correctly, with no 5xx' {
        $emu = Start-FcEmulator -Function @{ echo = { param($Event) $Event } }
        try {
            $conn = Get-FcTestConnection $emu
            $inputs = 1..500 | ForEach-Object { "load-$_" }
            $r = $inputs | Invoke-FcFunction echo @conn -ThrottleLimit 50 -ErrorVariable errs
            $errs | Should -BeNullOrEmpty
            ($r.Result -join ',') | Should -BeExactly ($inputs -join ',')
            @($emu.RecentRequests | Where-Object StatusCode -ge 500) | Should -BeNullOrEmpty
            @($emu.RecentRequests | Where-Object StatusCode -ne 200) | Should -BeNullOrEmpty
            $emu.RequestCount | Should -Be 500
        }
        finally { $emu | Stop-FcEmulator }
    }
}
