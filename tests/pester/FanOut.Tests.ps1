# Invoke-FcFunction -ThrottleLimit: concurrency, ordering, bounded buffering, per-input errors, -ErrorAction Stop,
# Ctrl+C (StopProcessing), progress, and use from ForEach-Object -Parallel and thread jobs.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # A process-wide gauge the emulated functions share (they run in the emulator's runspace pool, in this process).
    $script:gauge = [hashtable]::Synchronized(@{ now = 0; peak = 0 })
    [AppDomain]::CurrentDomain.SetData('FcInvokeTestGauge', $gauge)
    $script:emu = Start-FcEmulator -MaxConcurrency 32 -Function @{
        'echo'     = { param($Event) $Event }
        # {"id": .., "ms": ..}: sleeps, then answers the id.
        'sleepy'   = { param($Event) $e = $Event | ConvertFrom-Json; Start-Sleep -Milliseconds $e.ms; $e.id }
        'gauge'    = {
            param($Event)
            $g = [AppDomain]::CurrentDomain.GetData('FcInvokeTestGauge')
            [Threading.Monitor]::Enter($g.SyncRoot); try { $g.now++; if ($g.now -gt $g.peak) { $g.peak = $g.now } } finally { [Threading.Monitor]::Exit($g.SyncRoot) }
            Start-Sleep -Milliseconds 250
            [Threading.Monitor]::Enter($g.SyncRoot); try { $g.now-- } finally { [Threading.Monitor]::Exit($g.SyncRoot) }
            $Event
        }
        # Fails for inputs ending in 5, after a short while for the others.
        'failsome' = { param($Event) if ($Event -match '5$') { throw "bad input $Event" }; Start-Sleep -Milliseconds 50; $Event }
        # Input 3 fails at once; every other input takes 400 ms.
        'stopper'  = { param($Event) if ($Event -eq '3') { throw 'stop here' }; Start-Sleep -Milliseconds 400; $Event }
        'slow300'  = { param($Event) Start-Sleep -Milliseconds 300; $Event }
    }
    $script:conn = Get-FcTestConnection $emu
    # Warm the emulator's runspace pool so ordering tests are not skewed by runspaces still opening.
    $null = 1..16 | ForEach-Object { '{"id":"w","ms":100}' } | Invoke-FcFunction sleepy @conn -ThrottleLimit 16

    function New-IsolatedPowerShell {
        # A separate PowerShell (own runspace) with the module imported, to observe its streams or stop it.
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$FcTestModulePath'").Invoke()
        $ps.Commands.Clear()
        $ps
    }
}

AfterAll {
    $emu | Stop-FcEmulator
    [AppDomain]::CurrentDomain.SetData('FcInvokeTestGauge', $null)
}

Describe 'Invoke-FcFunction -ThrottleLimit' {
    It 'keeps up to -ThrottleLimit invocations in flight, and one at a time by default' {
        $gauge.peak = 0
        $r = 1..12 | Invoke-FcFunction gauge @conn -ThrottleLimit 4
        $r.Result | Should -Be (1..12 | ForEach-Object { "$_" })
        $gauge.peak | Should -BeLessOrEqual 4
        $gauge.peak | Should -BeGreaterThan 1

        $gauge.peak = 0
        $null = 1..4 | Invoke-FcFunction gauge @conn
        $gauge.peak | Should -Be 1
    }

    It 'writes results in input order by default and in completion order with -Unordered' {
        $inputs = '{"id":"a","ms":1200}', '{"id":"b","ms":0}', '{"id":"c","ms":500}'
        ($inputs | Invoke-FcFunction sleepy @conn -ThrottleLimit 3).Result | Should -Be 'a', 'b', 'c'
        $unordered = $inputs | Invoke-FcFunction sleepy @conn -ThrottleLimit 3 -Unordered
        $unordered.Result | Should -Be 'b', 'c', 'a'
        # Each result names its input, so completion order loses nothing.
        $unordered[2].InputObject | Should -Be $inputs[0]
    }

    It 'holds back the pipeline instead of buffering: a slow first input stops input being read after about 3 x n' {
        $state = @{ emitted = 0; atFirstResult = $null }
        $n = 2
        & { foreach ($i in 1..60) { $state.emitted++; if ($i -eq 1) { '{"id":"1","ms":1500}' } else { "{`"id`":`"$i`",`"ms`":0}" } } } |
            Invoke-FcFunction sleepy @conn -ThrottleLimit $n |
            ForEach-Object { if ($null -eq $state.atFirstResult) { $state.atFirstResult = $state.emitted } }
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
        $before = @($emu.RecentRequests).Count
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
        @($emu.RecentRequests).Count - $before | Should -Be 3
    }

    It 'stops the whole batch at the first failure with -ErrorAction Stop, cancelling what is in flight' {
        $before = $emu.ExecutionCounts['stopper']
        { 1..100 | Invoke-FcFunction stopper @conn -ThrottleLimit 4 -ErrorAction Stop } |
            Should -Throw -ErrorId 'FcFunctionError,FcInvoke.Commands.InvokeFcFunctionCommand'
        Start-Sleep -Milliseconds 300
        $ran = $emu.ExecutionCounts['stopper'] - $before
        $ran | Should -BeLessOrEqual 8
        Start-Sleep -Milliseconds 800
        $emu.ExecutionCounts['stopper'] - $before | Should -Be $ran -Because 'nothing of the batch is left to start'
    }

    It 'returns within a second of Ctrl+C (StopProcessing) and starts nothing afterwards' {
        $before = $emu.ExecutionCounts['slow300']
        $stop = Measure-FcTestPipelineStop -ScriptBlock {
            param($ModulePath, $c)
            Import-Module $ModulePath
            1..200 | Invoke-FcFunction slow300 @c -ThrottleLimit 8
        } -ArgumentList $conn -Started { $emu.ExecutionCounts['slow300'] - $before -ge 12 }
        Write-Host "    Stop() returned after $([int]($stop.Seconds * 1000)) ms"
        $stop.State | Should -Be 'Stopped'
        $stop.Seconds | Should -BeLessThan 1
        Start-Sleep -Milliseconds 300
        $settled = $emu.ExecutionCounts['slow300']
        Start-Sleep -Milliseconds 1000
        $emu.ExecutionCounts['slow300'] | Should -Be $settled -Because 'nothing of the batch is left to start'
        $settled - $before | Should -BeLessThan 200
    }

    It 'shows one progress bar for a batch that lasts over a second, and none for a quick one' {
        $ps = New-IsolatedPowerShell
        try {
            $null = $ps.AddScript({ param($c) 1..12 | Invoke-FcFunction slow300 @c -ThrottleLimit 2 }).AddArgument($conn)
            $out = $ps.Invoke()
            $out | Should -HaveCount 12
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 1
            ($progress.ActivityId | Select-Object -Unique) | Should -HaveCount 1
            $progress[0].StatusDescription | Should -Match '^\d+ done, \d+ in flight, [\d.]+/s'
            $progress[-1].RecordType | Should -Be 'Completed'
            @($progress | Where-Object RecordType -eq 'Completed') | Should -HaveCount 1

            $ps.Commands.Clear(); $ps.Streams.ClearStreams()
            $null = $ps.AddScript({ param($c) 1..5 | Invoke-FcFunction echo @c -ThrottleLimit 2 }).AddArgument($conn)
            $ps.Invoke() | Should -HaveCount 5
            $ps.Streams.Progress | Should -HaveCount 0
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
