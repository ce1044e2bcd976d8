# Retries, timeouts and large payloads against the emulator's fault injection (Start-FcEmulator -ThrottleRate ...).
# The emulator counts executions per input, so "exactly once" and "never twice" are checked, not assumed.
# Fault rates and retry counts are chosen so that a run fails by chance less than once in a million runs.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:functions = @{
        'echo' = { param($Event) $Event }
        # Runs until the test sets the FcInvokeTestRelease latch (or a minute has passed).
        'held' = { param($Event) if ([AppDomain]::CurrentDomain.GetData('FcInvokeTestRelease').Wait(60000)) { 'released' } else { 'timeout' } }
    }

    function Get-Invocations {
        # The emulator's journal entries for InvokeFunction requests.
        param($Emulator)
        @($Emulator.RecentRequests | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/invocations' })
    }
}

Describe 'Throttling (429): retried, never run twice' {
    BeforeAll {
        $script:emu = Start-FcEmulator -Function $functions -ThrottleRate 0.15 -MaxConcurrency 32
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'runs 1,000 inputs with -ThrottleLimit 32 and 15% throttling exactly once each, results in input order' {
        # -MaxRetries 10: with 15% throttling an input is refused 4 times in a row (the default 3 retries spent) once in
        # 2,000; 11 times in a row, once in a billion.
        $inputs = 1..1000 | ForEach-Object { "input-$_" }
        $r = $inputs | Invoke-FcFunction echo @conn -ThrottleLimit 32 -MaxRetries 10 -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $r | Should -HaveCount 1000
        ($r.Result -join ',') | Should -BeExactly ($inputs -join ',')

        $counts = $emu.InputExecutionCounts
        $counts.Count | Should -Be 1000
        @($counts.Values | Where-Object { $_ -ne 1 }) | Should -BeNullOrEmpty -Because 'every input ran exactly once'
        foreach ($i in $inputs[0, 499, 999]) { $counts[$i] | Should -Be 1 }

        $sent = Get-Invocations $emu
        $throttled = @($sent | Where-Object StatusCode -eq 429)
        $throttled.Count | Should -BeGreaterThan 100 -Because 'about one request in seven was refused'
        $sent.Count | Should -Be (1000 + $throttled.Count) -Because 'only refused requests were sent again'
        ($r.Attempts | Measure-Object -Sum).Sum | Should -Be $sent.Count
        $throttled | ForEach-Object { $_.Fault | Should -Be 'Throttle' }
    }

    It 'reports throttling as a per-input error when retries are disabled (-MaxRetries 0)' {
        Set-FcTestEmulatorFaults $emu @(1.0)
        try {
            Reset-FcTestEmulator $emu
            $r = 'a', 'b', 'c' | Invoke-FcFunction echo @conn -ThrottleLimit 3 -MaxRetries 0 -ErrorVariable errs -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $errs | Should -HaveCount 3
            $errs.TargetObject | Sort-Object | Should -Be 'a', 'b', 'c'
            $errs | ForEach-Object {
                $_.FullyQualifiedErrorId | Should -Be 'FcServiceError,FcInvoke.Commands.InvokeFcFunctionCommand'
                $_.CategoryInfo.Category | Should -Be 'LimitsExceeded'
                $_.Exception.StatusCode | Should -Be 429
                $_.Exception.ErrorCode | Should -Be 'ResourceExhausted'
            }
            (Get-Invocations $emu) | Should -HaveCount 3
            $emu.InputExecutionCounts.Count | Should -Be 0
        }
        finally { Set-FcTestEmulatorFaults $emu }
    }
}

Describe 'Server errors and dropped connections on sync invocations: never resent' {
    BeforeAll {
        # Half the faults strike before the function runs, half after it ran.
        $script:emu = Start-FcEmulator -Function $functions -ServerErrorRate 0.15 -ServerErrorAfterRunRate 0.15 -DropRate 0.1 -DropAfterRunRate 0.1 -MaxConcurrency 32
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'runs no input twice and reports each failure on its input' {
        $inputs = 1..200 | ForEach-Object { "job-$_" }
        $r = $inputs | Invoke-FcFunction echo @conn -ThrottleLimit 16 -ErrorVariable errs -ErrorAction SilentlyContinue

        $sent = Get-Invocations $emu
        $sent | Should -HaveCount 200 -Because 'no invocation was sent again'
        $counts = $emu.InputExecutionCounts
        @($counts.Values | Where-Object { $_ -gt 1 }) | Should -BeNullOrEmpty -Because 'no input ran twice'

        $faulted = @($sent | Where-Object Fault -ne 'None')
        $faulted.Count | Should -BeGreaterThan 20
        $errs | Should -HaveCount $faulted.Count
        ($r.Count + $errs.Count) | Should -Be 200
        (@($r.InputObject) + @($errs.TargetObject) | Sort-Object) | Should -Be ($inputs | Sort-Object)

        $serverErrors = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'FcServiceError,*' })
        $serverErrors.Count | Should -Be @($faulted | Where-Object StatusCode -eq 500).Count
        $serverErrors | ForEach-Object {
            $_.Exception.StatusCode | Should -Be 500
            $_.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $entry = $sent | Where-Object RequestId -eq $_.Exception.RequestId
            # A 500 before the run leaves the input unexecuted; a 500 after it leaves exactly one execution.
            $expected = if ($entry.Fault -eq 'ServerErrorAfterRun') { 1 } else { 0 }
            [int]$counts[$_.TargetObject] | Should -Be $expected
        }
        $dropped = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'FcConnectionFailed,*' })
        $dropped.Count | Should -Be @($faulted | Where-Object StatusCode -eq 0).Count
        $dropped | ForEach-Object {
            $_.CategoryInfo.Category | Should -Be 'ConnectionError'
            $_.Exception.Message | Should -Match 'not retried, because the function may have run'
        }
        $r | ForEach-Object { $counts[$_.InputObject] | Should -Be 1 }
    }
}

Describe 'Reads under faults: resent on 5xx and dropped connections' {
    BeforeAll {
        $script:emu = Start-FcEmulator -Function $functions
        $script:conn = Get-FcTestConnection $emu
        $null = Invoke-FcFunction echo 'x' -AsyncTaskId 'read-me' @conn
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'gets an async task every time although 20% of the requests fail before an answer' {
        Set-FcTestEmulatorFaults $emu @(0, 0.1, 0.1)
        try {
            Reset-FcTestEmulator $emu
            # At least 20 reads, and as many more as it takes for at least 5 of the requests to have failed.
            $faulted = { @($emu.RecentRequests | Where-Object { $_.Method -eq 'GET' -and $_.Fault -ne 'None' }).Count }
            $tasks = [Collections.Generic.List[object]]::new()
            while (($tasks.Count -lt 20 -or (& $faulted) -lt 5) -and $tasks.Count -lt 500) {
                $tasks.Add((Get-FcAsyncTask echo -TaskId 'read-me' @conn -MaxRetries 10 -ErrorAction Stop))
            }
            (& $faulted) | Should -BeGreaterOrEqual 5 -Because 'one request in five fails'
            $tasks.TaskId | Select-Object -Unique | Should -Be 'read-me'
            $gets = @($emu.RecentRequests | Where-Object Method -eq 'GET')
            @($gets | Where-Object Fault -eq 'ServerError').Count + @($gets | Where-Object Fault -eq 'Drop').Count | Should -Be ($gets.Count - $tasks.Count) -Because 'each read took one answered request, and every other one failed'
        }
        finally { Set-FcTestEmulatorFaults $emu }
    }
}

Describe 'Timeouts, refused connections, latency, large payloads' {
    BeforeAll {
        $script:emu = Start-FcEmulator -Function $functions
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'ends a call at -TimeoutSec with an error that names that limit, while the function still runs' {
        # The function runs until the test releases it: the call can only come back by giving up at its timeout.
        $release = Set-FcTestShared 'FcInvokeTestRelease' ([Threading.ManualResetEventSlim]::new($false))
        try {
            Reset-FcTestEmulator $emu
            $r = Invoke-FcFunction held 'x' -TimeoutSec 1 @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'FcTimeout,FcInvoke.Commands.InvokeFcFunctionCommand'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err[0].Exception.Message | Should -Match 'within 1 s \(-TimeoutSec\); FC interrupts a synchronous invocation when its caller goes away, so the function was stopped and may have partly run'
            $emu.ExecutionCounts['held'] | Should -Be 1
            $emu.RecentRequests | Should -BeNullOrEmpty -Because 'the function has not answered yet (the journal records an answer as it is sent)'
        }
        finally {
            $release.Set()
            $null = Set-FcTestShared 'FcInvokeTestRelease' $null
        }
    }

    It 'resends an invocation whose connection could not be opened, then reports it' {
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start()
        $closedPort = $probe.LocalEndpoint.Port; $probe.Stop()
        $closed = (Get-FcTestConnection $emu).Clone()
        $closed.Endpoint = "http://127.0.0.1:$closedPort/"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$FcTestModulePath'").AddStatement().AddScript({ param($c) Invoke-FcFunction echo 'x' @c -MaxRetries 2 -Verbose }).AddArgument($closed)
            $ps.Invoke() | Should -BeNullOrEmpty
            $ps.Streams.Error | Should -HaveCount 1
            $ps.Streams.Error[0].FullyQualifiedErrorId | Should -Be 'FcConnectionFailed,FcInvoke.Commands.InvokeFcFunctionCommand'
            $ps.Streams.Error[0].Exception.Message | Should -Match 'after 3 attempts'
            @($ps.Streams.Verbose | Where-Object Message -match 'refused.*retrying in') | Should -HaveCount 2
        }
        finally { $ps.Dispose() }
    }

    It 'adds -LatencyMs before answering' {
        Set-FcTestEmulatorFaults $emu @(0, 0, 0, 0, 0, 300)
        # A lower bound (a loaded machine only adds to it), less the few milliseconds a timer may fire early.
        try { (Invoke-FcFunction echo 'x' @conn).Elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 290 -Because 'the emulator waited 300 ms first' }
        finally { Set-FcTestEmulatorFaults $emu }
    }

    It 'refuses fault rates that add up to more than 1' {
        { Start-FcEmulator -Function $functions -ThrottleRate 0.6 -ServerErrorRate 0.6 } | Should -Throw -ErrorId 'FcEmulatorInvalidFault,FcInvoke.Commands.StartFcEmulatorCommand'
    }

    It 'round-trips a 32 MB -InputFile intact through echo' {
        $path = Join-Path $TestDrive 'big.txt'
        $size = 32MB
        $block = [byte[]]::new(1MB)
        for ($i = 0; $i -lt $block.Length; $i++) { $block[$i] = 32 + ($i % 95) }  # printable ASCII: echo returns it as text
        $stream = [IO.File]::Create($path)
        try { for ($i = 0; $i -lt 32; $i++) { $block[0] = 65 + $i; $stream.Write($block, 0, $block.Length) } }
        finally { $stream.Dispose() }
        (Get-Item $path).Length | Should -Be $size

        $r = Invoke-FcFunction echo -InputFile $path @conn
        $r.RawResult.Length | Should -Be $size
        $hash = [BitConverter]::ToString([Security.Cryptography.SHA256]::HashData($r.RawResult)) -replace '-'
        $hash | Should -Be (Get-FileHash $path -Algorithm SHA256).Hash
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).BodyLength | Should -Be $size
        $r.InputObject | Should -Be $path
    }
}
