# Invoke-FcFunction -ThrottleLimit: concurrency, ordering, bounded buffering, per-input errors, -ErrorAction Stop,
# Ctrl+C (StopProcessing), progress, and use from ForEach-Object -Parallel and thread jobs.
# Order and concurrency are forced with latches, barriers and counters, never with pauses: the emulated functions run in
# the emulator's runspace pool in this process and share one synchronized hashtable with the test (Set-FcTestShared), and
# the cancellation tests use a server that holds every call unanswered and sees the client abandon it.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -MaxConcurrency 32 -Function @{
        'echo'     = { param($Event) $Event }
        # Counts the calls in flight; the pause only widens the window in which an overlapping call would be seen.
        'gauge'    = {
            param($Event)
            $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestFanOut')
            [Threading.Monitor]::Enter($s.SyncRoot); try { $s.Now++; if ($s.Now -gt $s.Peak) { $s.Peak = $s.Now } } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            Start-Sleep -Milliseconds 100
            [Threading.Monitor]::Enter($s.SyncRoot); try { $s.Now-- } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            $Event
        }
        # Counts the calls in flight and waits at a barrier until as many as it has participants are in flight together;
        # the pause after it only widens the window in which a call beyond the limit would be seen in flight.
        'barrier'  = {
            param($Event)
            $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestFanOut')
            [Threading.Monitor]::Enter($s.SyncRoot); try { $s.Now++; if ($s.Now -gt $s.Peak) { $s.Peak = $s.Now } } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            $met = $s.Barrier.SignalAndWait(30000)
            Start-Sleep -Milliseconds 100
            [Threading.Monitor]::Enter($s.SyncRoot); try { $s.Now-- } finally { [Threading.Monitor]::Exit($s.SyncRoot) }
            if ($met) { $Event } else { "$Event-timeout" }
        }
        # Input 'a' waits for the Release latch; the others answer at once.
        'latched'  = {
            param($Event)
            if ($Event -ne 'a') { return $Event }
            $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestFanOut')
            if ($s.Release.Wait(30000)) { $Event } else { "$Event-timeout" }
        }
        # Input 1 waits until the others have run Wanted times, then gives a pipeline that overran its bound the chance to
        # show it (Overrun is set by the test's input generator past the bound: it never is while the bound holds).
        'backlog'  = {
            param($Event)
            $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestFanOut')
            if ($Event -ne '1') { $null = $s.Others.Release(); return $Event }
            for ($k = 0; $k -lt $s.Wanted; $k++) { if (-not $s.Others.Wait(30000)) { return "$Event-timeout" } }
            $null = $s.Overrun.Wait(500)
            $Event
        }
        # Fails for inputs ending in 5.
        'failsome' = { param($Event) if ($Event -match '5$') { throw "bad input $Event" }; $Event }
        'slow300'  = { param($Event) Start-Sleep -Milliseconds 300; $Event }
    }
    $script:conn = Get-FcTestConnection $emu

    function New-IsolatedPowerShell {
        # A separate PowerShell (own runspace) with the module imported, to observe its streams.
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$FcTestModulePath'").Invoke()
        $ps.Commands.Clear()
        $ps
    }

    $script:functionError = @{
        Status = 200; Body = '{"errorMessage":"stop here","errorType":"Error"}'; Headers = @{ 'x-fc-error-type' = 'UnhandledInvocationError' }
    }
}

AfterAll {
    $emu | Stop-FcEmulator
    $null = Set-FcTestShared 'FcInvokeTestFanOut' $null
}

Describe 'Invoke-FcFunction -ThrottleLimit' {
    It 'keeps exactly -ThrottleLimit invocations in flight, and one at a time by default' {
        # Each call waits at a 4-party barrier: the batch completes only if 4 are in flight together, and the gauge sees
        # whether more ever are.
        $s = Set-FcTestShared 'FcInvokeTestFanOut' ([hashtable]::Synchronized(@{ Now = 0; Peak = 0; Barrier = [Threading.Barrier]::new(4) }))
        $r = 1..12 | Invoke-FcFunction barrier @conn -ThrottleLimit 4
        $r.Result | Should -Be (1..12 | ForEach-Object { "$_" }) -Because 'every call met three others at the barrier'
        $s.Peak | Should -Be 4

        $s = Set-FcTestShared 'FcInvokeTestFanOut' ([hashtable]::Synchronized(@{ Now = 0; Peak = 0 }))
        $null = 1..4 | Invoke-FcFunction gauge @conn
        $s.Peak | Should -Be 1
    }

    It 'writes results in input order by default and in completion order with -Unordered' {
        foreach ($unordered in $false, $true) {
            # Input a is held until the generator releases it. With -ThrottleLimit 2 one more call runs beside a, so the
            # generator gets to emit c only once b has finished, and gets past c only once c has finished: they finish
            # b, c, then a.
            $s = Set-FcTestShared 'FcInvokeTestFanOut' ([hashtable]::Synchronized(@{ Release = [Threading.ManualResetEventSlim]::new($false) }))
            $results = & { 'a'; 'b'; 'c'; $null = $s.Release.Set() } | Invoke-FcFunction latched @conn -ThrottleLimit 2 -Unordered:$unordered
            if ($unordered) {
                $results.Result | Should -Be 'b', 'c', 'a'
                # Each result names its input, so completion order loses nothing.
                $results[2].InputObject | Should -Be 'a'
            }
            else {
                $results.Result | Should -Be 'a', 'b', 'c'
            }
        }
    }

    It 'holds back the pipeline instead of buffering: while the first input runs, input is read only up to the bound' {
        # Input 1 runs until the other inputs have run 2n times, then for a further half second, in which a pipeline that
        # kept reading would emit input 3n+3 (which sets Overrun and so ends that wait early).
        $n = 2
        $s = Set-FcTestShared 'FcInvokeTestFanOut' ([hashtable]::Synchronized(@{
            Others = [Threading.SemaphoreSlim]::new(0); Wanted = 2 * $n; Overrun = [Threading.ManualResetEventSlim]::new($false) }))
        $state = @{ emitted = 0; atFirstResult = $null; first = $null }
        & { foreach ($i in 1..60) { $state.emitted++; if ($i -eq 3 * $n + 3) { $null = $s.Overrun.Set() }; "$i" } } |
            Invoke-FcFunction backlog @conn -ThrottleLimit $n |
            ForEach-Object { if ($null -eq $state.atFirstResult) { $state.atFirstResult = $state.emitted; $state.first = $_.Result } }
        $state.first | Should -Be '1' -Because 'the first input ran while 2n others did'
        # n in flight + 2n finished results waiting for input 1, + the one being submitted.
        $state.atFirstResult | Should -BeLessOrEqual (3 * $n + 2)
        $state.emitted | Should -Be 60
    }

    It 'reports a failed input without stopping the others, naming the input on the error record' {
        $r = 1..30 | Invoke-FcFunction failsome @conn -ThrottleLimit 8 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Result | Should -Be (1..30 | Where-Object { $_ % 10 -ne 5 } | ForEach-Object { "$_" })
        $errs | Should -HaveCount 3
        # A function error's target is its input, as for every other failure (changed with issue 14); the full result is the exception's.
        $errs.TargetObject | Sort-Object | Should -Be 5, 15, 25
        $errs | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -Be 'FcFunctionError,FcInvoke.Commands.InvokeFcFunctionCommand'
            $_.CategoryInfo.Category | Should -Be 'InvalidResult'
            $_.Exception.Result | Should -BeOfType ([FcInvoke.FcInvocationResult])
            $_.Exception.Message | Should -Match "bad input $($_.TargetObject)"
        }
    }

    It 'reports API errors and invalid inputs per input too; an invalid input is never sent' {
        Reset-FcTestEmulator $emu
        $inputs = @(
            [pscustomobject]@{ FunctionName = 'echo'; Payload = 'one' }
            [pscustomobject]@{ FunctionName = 'missing'; Payload = 'two' }
            [pscustomobject]@{ FunctionName = 'bad name!'; Payload = 'three' }
            [pscustomobject]@{ FunctionName = 'echo'; Payload = 'four' }
        )
        $r = $inputs | Invoke-FcFunction @conn -ThrottleLimit 4 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -HaveCount 2
        $errs | Should -HaveCount 2
        $notFound = $errs | Where-Object { $_.FullyQualifiedErrorId -like 'FcServiceError,*' }
        $notFound.TargetObject.FunctionName | Should -Be 'missing'
        $notFound.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $invalid = $errs | Where-Object { $_.FullyQualifiedErrorId -like 'FcInvalidName,*' }
        $invalid.TargetObject.FunctionName | Should -Be 'bad name!'
        @($emu.RecentRequests) | Should -HaveCount 3
    }

    It 'stops the whole batch at the first failure with -ErrorAction Stop, abandoning the calls in flight' {
        # Input 3 fails once the first 4 inputs (-ThrottleLimit) have arrived; the server holds the other three unanswered.
        $server = Start-FcTestHoldingServer -Answers @{ '3' = $functionError + @{ After = 4 } }
        try {
            $held = Get-FcTestHoldingConnection $server
            { 1..100 | Invoke-FcFunction stopper @held -ThrottleLimit 4 -ErrorAction Stop } |
                Should -Throw -ErrorId 'FcFunctionError,FcInvoke.Commands.InvokeFcFunctionCommand'
            Wait-FcTestCondition { @($server.Requests | Where-Object Closed).Count -ge 3 } -Because 'the calls in flight were abandoned'
            @($server.Requests | Where-Object Closed).Body | Sort-Object | Should -Be '1', '2', '4'
            # Every call of the batch has ended (answered or abandoned), so any other would have had to start after the stop.
            @($server.Requests).Body | Sort-Object | Should -Be '1', '2', '3', '4' -Because 'nothing of the batch started after the failure'
        }
        finally { $server | Stop-FcTestHoldingServer }
    }

    It 'stops on Ctrl+C (StopProcessing): abandons the calls in flight and starts nothing afterwards' {
        $server = Start-FcTestHoldingServer
        try {
            # Nothing is answered, so exactly -ThrottleLimit calls are in flight when the pipeline is stopped.
            $state = Invoke-FcTestPipelineStop -ScriptBlock {
                param($ModulePath, $c)
                Import-Module $ModulePath
                1..200 | Invoke-FcFunction slow @c -ThrottleLimit 8
            } -ArgumentList (Get-FcTestHoldingConnection $server) -Started { $server.Requests.Count -ge 8 }
            $state | Should -Be 'Stopped'
            Wait-FcTestCondition { @($server.Requests | Where-Object Closed).Count -ge 8 } -Because 'the calls in flight were abandoned'
            # Every call has ended, and the pipeline is stopped: any other call would have had to start after the stop.
            @($server.Requests).Body | Sort-Object { [int]$_ } | Should -Be (1..8 | ForEach-Object { "$_" }) -Because 'nothing started after Ctrl+C'
        }
        finally { $server | Stop-FcTestHoldingServer }
    }

    It 'shows one progress bar for a batch that lasts over a second, and none for a quick one' {
        $ps = New-IsolatedPowerShell
        try {
            # 12 calls of at least 300 ms, two at a time, last at least 1.8 s: the bar (shown after 1 s) must appear, and
            # its first update comes while inputs are still read (the last one is taken after at least 1.5 s).
            $null = $ps.AddScript({ param($c) 1..12 | Invoke-FcFunction slow300 @c -ThrottleLimit 2 }).AddArgument($conn)
            $out = $ps.Invoke()
            $out | Should -HaveCount 12
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 1
            ($progress.ActivityId | Select-Object -Unique) | Should -HaveCount 1
            $progress[0].StatusDescription | Should -Match '^\d+ done, \d+ in flight, [\d.]+/s'
            $progress[-1].RecordType | Should -Be 'Completed'
            @($progress | Where-Object RecordType -eq 'Completed') | Should -HaveCount 1

            # The bar's delay runs on the cmdlet's own clock, so "none for a quick one" is checked on a run that took under a
            # second measured around the whole command (which brackets that clock); a loaded machine may need a few tries.
            $quick = $null
            for ($try = 1; $try -le 10 -and $null -eq $quick; $try++) {
                $ps.Commands.Clear(); $ps.Streams.ClearStreams()
                $null = $ps.AddScript({ param($c) 1..5 | Invoke-FcFunction echo @c -ThrottleLimit 2 }).AddArgument($conn)
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $out = $ps.Invoke()
                $watch.Stop()
                $out | Should -HaveCount 5
                if ($watch.Elapsed.TotalSeconds -lt 1) { $quick = @($ps.Streams.Progress) }
            }
            if ($null -eq $quick) { Set-ItResult -Inconclusive -Because 'no run of the quick batch took under a second in 10 tries'; return }
            $quick | Should -HaveCount 0
        }
        finally { $ps.Dispose() }
    }

    It 'writes retry messages from worker threads to -Verbose on the pipeline thread' {
        Set-FcTestEmulatorFaults $emu @(1.0)
        try {
            $ps = New-IsolatedPowerShell
            $null = $ps.AddScript({ param($c) 1..3 | Invoke-FcFunction echo @c -ThrottleLimit 3 -MaxRetries 2 -Verbose }).AddArgument($conn)
            $ps.Invoke() | Should -BeNullOrEmpty
            @($ps.Streams.Error) | Should -HaveCount 3
            $ps.Streams.Error[0].Exception.Message | Should -Match 'after 3 attempts'
            @($ps.Streams.Verbose | Where-Object Message -match 'answered 429 ResourceExhausted; retrying in \d+ ms') | Should -HaveCount 6
            $ps.Dispose()
        }
        finally { Set-FcTestEmulatorFaults $emu }
    }

    It 'works inside ForEach-Object -Parallel and thread jobs, sharing the client and the emulator' {
        $m = $FcTestModulePath
        $c = $conn
        $r = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:m
            $splat = $using:c
            $outer = $_
            1..10 | ForEach-Object { "$outer-$_" } | Invoke-FcFunction echo @splat -ThrottleLimit 4 | ForEach-Object Result
        }
        $r | Should -HaveCount 40
        ($r | Sort-Object -Unique) | Should -HaveCount 40

        $jobs = 1..2 | ForEach-Object {
            Start-ThreadJob -ArgumentList $m, $c, $_ -ScriptBlock {
                param($m, $c, $n)
                Import-Module $m
                1..10 | ForEach-Object { "job$n-$_" } | Invoke-FcFunction echo @c -ThrottleLimit 5 | ForEach-Object Result
            }
        }
        $fromJobs = $jobs | Receive-Job -Wait -AutoRemoveJob
        $fromJobs | Should -HaveCount 20
        $fromJobs | Should -Contain 'job2-10'
    }
}
