BeforeAll {
    . $PSScriptRoot/Common.ps1
    # hold: waits on the latch its event names ("<latch>:<ok|fail>:<n>"), then succeeds or fails. quick: finishes at once.
    $hold = { param($Event) $parts = "$Event" -split ':'; $l = [AppDomain]::CurrentDomain.GetData($parts[0]); while (-not $l.Wait(20)) { }; if ($parts[1] -eq 'fail') { throw "failed on $Event" }; "done $Event" }
    $quick = { param($Event) if ("$Event" -like 'fail*') { throw "failed on $Event" }; "done $Event" }
    $functions = @{}
    foreach ($prefix in '', 'svc/') {
        $functions["${prefix}hold"] = $hold
        $functions["${prefix}quick"] = $quick
    }
    foreach ($name in 'crowd', 'batch', 'lagged', 'few') { $functions[$name] = $quick }
    $script:emu = Start-FcEmulator -Function $functions -MaxConcurrency 64
    $script:conn = Get-FcTestConnection $emu
    $script:latches = [Collections.Generic.List[string]]::new()

    function New-HoldLatch {
        $name = New-FcTestLatch
        $script:latches.Add($name)
        $name
    }

    function Open-HoldLatch([string] $Name) { (Get-FcTestLatch $Name).Set() }

    function Start-BackgroundWait {
        # Wait-FcAsyncTask in a runspace of its own (same process, same emulator), so the test can act while it waits.
        param([object[]] $InputObject, [hashtable] $Parameters = @{})
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($ModulePath, $InputObject, $Conn, $Parameters)
            Import-Module $ModulePath
            $InputObject | Wait-FcAsyncTask @Conn @Parameters
        }).AddArgument($script:FcTestModulePath).AddArgument($InputObject).AddArgument($script:conn).AddArgument($Parameters)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }

    function Complete-BackgroundWait($Wait) {
        # The wait's output and errors; fails if it has not ended within the hang guard.
        try {
            Wait-FcTestCondition { $Wait.Handle.IsCompleted } -TimeoutSec 60 -Because 'the wait ended'
            $output = @($Wait.PowerShell.EndInvoke($Wait.Handle))
            [pscustomobject]@{ Output = $output; Errors = @($Wait.PowerShell.Streams.Error) }
        }
        finally { $Wait.PowerShell.Dispose() }
    }

    function Get-Texts([object[]] $Tasks) { @($Tasks | ConvertTo-FcTestTaskText | Sort-Object) }

    function Get-Fresh([object[]] $Tasks) {
        # Each task as Get-FcAsyncTask -TaskId returns it now.
        foreach ($t in $Tasks) { Get-FcAsyncTask $t.FunctionName -ServiceName $t.ServiceName -TaskId $t.TaskId @conn }
    }
}

AfterAll {
    foreach ($name in $latches) { Open-HoldLatch $name }
    Set-FcTestEmulatorListingLag $emu 0
    $null = Set-FcTestWaitStrategy Auto
    $emu | Stop-FcEmulator
}

Describe 'Wait-FcAsyncTask at scale: the same tasks as per-task polling, from fewer reads' {
    AfterEach { $null = Set-FcTestWaitStrategy Auto }

    It 'writes exactly what per-task polling writes, for tasks of several functions, both API versions and every outcome' {
        $latch = New-HoldLatch
        $started = @(
            1..12 | ForEach-Object { "${latch}:ok:$_" } | Invoke-FcFunction hold -AsyncTaskIdPrefix 'mix-a-' -ThrottleLimit 8 @conn
            1..6 | ForEach-Object { "${latch}:fail:$_" } | Invoke-FcFunction hold -AsyncTaskIdPrefix 'mix-b-' -ThrottleLimit 8 @conn
            1..10 | ForEach-Object { "${latch}:ok:$_" } | Invoke-FcFunction hold -ServiceName svc -AsyncTaskIdPrefix 'mix-c-' -ThrottleLimit 8 @conn
            1..9 | ForEach-Object { "${latch}:fail:$_" } | Invoke-FcFunction hold -ServiceName svc -InvocationType Async -ThrottleLimit 8 @conn
            1..3 | ForEach-Object { "quick-$_" } | Invoke-FcFunction quick -InvocationType Async @conn
        )
        $started | Should -HaveCount 40
        Reset-FcTestEmulator $emu
        $wait = Start-BackgroundWait $started
        try {
            # Both functions with held tasks were listed while their tasks ran; then one is stopped and the rest let go.
            Wait-FcTestCondition { (Get-FcTestTaskReads $emu).List -ge 2 } -Because 'the wait listed the held tasks'
            Wait-FcTestCondition { (Get-FcAsyncTask hold -TaskId 'mix-a-000001' @conn).Status -eq 'Running' } -Because 'the task to stop runs'
            $null = Stop-FcAsyncTask hold -TaskId 'mix-a-000001' @conn -Confirm:$false
        }
        finally { Open-HoldLatch $latch }
        $auto = Complete-BackgroundWait $wait
        $reads = Get-FcTestTaskReads $emu
        $auto.Errors | Should -BeNullOrEmpty
        $auto.Output | Should -HaveCount 40
        ($auto.Output | Group-Object Status -AsHashTable).Keys | Sort-Object | Should -Be @('Failed', 'Stopped', 'Succeeded')
        $reads.Get | Should -BeLessThan 40 -Because 'finished tasks were taken from listings, after one read per function and status'

        $null = Set-FcTestWaitStrategy PerTask
        Reset-FcTestEmulator $emu
        $perTask = $started | Wait-FcAsyncTask @conn
        (Get-FcTestTaskReads $emu).List | Should -Be 0
        Get-Texts $auto.Output | Should -Be (Get-Texts $perTask)
        Get-Texts $auto.Output | Should -Be (Get-Texts (Get-Fresh $auto.Output))
    }

    It 'costs five reads for five tasks' {
        $started = 1..5 | ForEach-Object { "five-$_" } | Invoke-FcFunction few -AsyncTaskIdPrefix 'five-' @conn
        $null = Set-FcTestWaitStrategy PerTask
        $null = $started | Wait-FcAsyncTask @conn   # all finished before the measured wait
        $null = Set-FcTestWaitStrategy Auto
        Reset-FcTestEmulator $emu
        $done = $started | Wait-FcAsyncTask @conn
        $done | Should -HaveCount 5
        $reads = Get-FcTestTaskReads $emu
        $reads.Get | Should -Be 5
        $reads.List | Should -Be 0
    }

    It 'lists a batch by its prefix among many unrelated tasks: 250 tasks in 3 pages and 2 reads' {
        $null = 1..300 | ForEach-Object { "noise-$_" } | Invoke-FcFunction batch -AsyncTaskIdPrefix 'noise-' -ThrottleLimit 16 @conn
        $started = 1..250 | ForEach-Object { if ($_ % 10 -eq 0) { "fail-$_" } else { "run-$_" } } |
            Invoke-FcFunction batch -AsyncTaskIdPrefix 'run-' -ThrottleLimit 16 @conn
        $null = 1..300 | ForEach-Object { "noise2-$_" } | Invoke-FcFunction batch -AsyncTaskIdPrefix 'run-noise-' -ThrottleLimit 16 @conn
        $null = Set-FcTestWaitStrategy PerTask
        Reset-FcTestEmulator $emu
        $perTask = $started | Wait-FcAsyncTask @conn
        (Get-FcTestTaskReads $emu).Get | Should -BeGreaterOrEqual 250

        $null = Set-FcTestWaitStrategy Auto
        Reset-FcTestEmulator $emu
        $auto = $started | Wait-FcAsyncTask @conn
        $reads = Get-FcTestTaskReads $emu
        $reads.List | Should -Be 3 -Because 'the ids share the prefix run-000, which leaves out the 600 others (run-noise- too)'
        $reads.Get | Should -Be 2 -Because 'one Succeeded and one Failed task are read to check the listing carries all fields'
        $auto | Should -HaveCount 250
        Get-Texts $auto | Should -Be (Get-Texts $perTask)
        ($emu.RecentRequests | Where-Object { $_.Path -like '*/async-tasks' } | Select-Object -First 1).Query | Should -Match 'prefix=run-000.*includePayload=true|includePayload=true.*prefix=run-000'
    }

    It 'stays within per-task cost plus its page budget when newer unrelated tasks share the ids'' shape' {
        # Ids FC generates have no useful common prefix: the wait looks newest first, finds 400 others first, gives up
        # after its budget (2 x 2 pages + 1) and reads the rest one by one.
        $started = 1..150 | ForEach-Object { "old-$_" } | Invoke-FcFunction crowd -InvocationType Async -ThrottleLimit 16 @conn
        $null = 1..400 | ForEach-Object { "new-$_" } | Invoke-FcFunction crowd -InvocationType Async -ThrottleLimit 16 @conn
        $null = Set-FcTestWaitStrategy PerTask
        $perTask = $started | Wait-FcAsyncTask @conn
        $null = Set-FcTestWaitStrategy Auto
        Reset-FcTestEmulator $emu
        $auto = $started | Wait-FcAsyncTask @conn
        $reads = Get-FcTestTaskReads $emu
        $reads.List | Should -Be 5
        $reads.Get | Should -Be (50 + 1) -Because '100 of ours were on the last pages of the budget (one read to check a listed task), 50 were not'
        Get-Texts $auto | Should -Be (Get-Texts $perTask)
    }
}

Describe 'Wait-FcAsyncTask when the listing lags behind' {
    AfterEach {
        Set-FcTestEmulatorListingLag $emu 0
        $null = Set-FcTestWaitStrategy Auto
    }

    It 'never takes a task missing from the listings as finished: it reads it after two listings missed it' {
        $started = 1..20 | ForEach-Object { "lag-$_" } | Invoke-FcFunction lagged -AsyncTaskIdPrefix 'lag-' @conn
        $null = Set-FcTestWaitStrategy PerTask
        $perTask = $started | Wait-FcAsyncTask @conn
        $null = Set-FcTestWaitStrategy Auto
        Set-FcTestEmulatorListingLag $emu 3600000   # no task appears in a listing during this test
        Reset-FcTestEmulator $emu
        $auto = $started | Wait-FcAsyncTask @conn
        $reads = Get-FcTestTaskReads $emu
        $reads.List | Should -Be 2 -Because 'the first listing missed them all (no read), the second too'
        $reads.Get | Should -Be 20 -Because 'then each task was read by itself'
        Get-Texts $auto | Should -Be (Get-Texts $perTask)
    }

    It 'writes what GetAsyncTask returns while the listing shows older states' {
        $latch = New-HoldLatch
        $started = 1..20 | ForEach-Object { "${latch}:ok:$_" } | Invoke-FcFunction hold -AsyncTaskIdPrefix 'behind-' -ThrottleLimit 8 @conn
        Set-FcTestEmulatorListingLag $emu 300
        Reset-FcTestEmulator $emu
        $wait = Start-BackgroundWait $started
        try { Wait-FcTestCondition { (Get-FcTestTaskReads $emu).List -ge 1 } -Because 'the wait listed' }
        finally { Open-HoldLatch $latch }
        $auto = Complete-BackgroundWait $wait
        $auto.Errors | Should -BeNullOrEmpty
        $auto.Output | Should -HaveCount 20
        Set-FcTestEmulatorListingLag $emu 0
        Get-Texts $auto.Output | Should -Be (Get-Texts (Get-Fresh $auto.Output))
    }
}

Describe 'Wait-FcAsyncTask -Any, -TimeoutSec and Ctrl+C with listings' {
    It '-Any returns the first task that finishes while the listing follows the others' {
        $held = New-HoldLatch
        $open = New-HoldLatch
        Open-HoldLatch $open
        try {
            $started = @(1..19 | ForEach-Object { "${held}:ok:$_" }) + "${open}:ok:first" | Invoke-FcFunction hold -AsyncTaskIdPrefix 'any-' -ThrottleLimit 8 @conn
            Reset-FcTestEmulator $emu
            $out = $started | Wait-FcAsyncTask -Any @conn
            $out | Should -HaveCount 1
            $out.TaskId | Should -Be 'any-000020'
            $out.Status | Should -Be 'Succeeded'
            (Get-FcTestTaskReads $emu).List | Should -BeGreaterOrEqual 1
        }
        finally { Open-HoldLatch $held }
    }

    It '-TimeoutSec is a hard deadline, a listing in flight included' {
        $held = New-HoldLatch
        try {
            $started = 1..20 | ForEach-Object { "${held}:ok:$_" } | Invoke-FcFunction hold -AsyncTaskIdPrefix 'deadline-' -ThrottleLimit 8 @conn
            Reset-FcTestEmulator $emu
            Set-FcTestEmulatorFaults $emu @(0, 0, 0, 0, 0, 120000)   # every task read is answered after 2 minutes
            $wait = Start-BackgroundWait $started @{ TimeoutSec = 2 }
            $result = Complete-BackgroundWait $wait   # the hang guard (60 s) is far below the 2 minutes a read takes
            (Get-FcTestTaskReads $emu).List | Should -BeGreaterOrEqual 1 -Because 'the listing was in flight when the deadline passed'
            $result.Output | Should -BeNullOrEmpty
            $result.Errors | Should -HaveCount 1
            $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'FcAsyncTaskWaitTimeout*'
            $result.Errors[0].Exception.Message | Should -Match '20 of 20 task\(s\) not finished'
        }
        finally {
            Set-FcTestEmulatorFaults $emu
            Open-HoldLatch $held
        }
    }

    It 'Ctrl+C stops a wait that lists, at once' {
        $held = New-HoldLatch
        try {
            $started = 1..20 | ForEach-Object { "${held}:ok:$_" } | Invoke-FcFunction hold -AsyncTaskIdPrefix 'ctrlc-' -ThrottleLimit 8 @conn
            Reset-FcTestEmulator $emu
            $state = Invoke-FcTestPipelineStop -ScriptBlock {
                param($ModulePath, $Started, $Conn)
                Import-Module $ModulePath
                $Started | Wait-FcAsyncTask @Conn
            } -ArgumentList (@(, $started) + @(, $conn)) -Started { (Get-FcTestTaskReads $emu).List -ge 1 }
            $state | Should -Be 'Stopped'
            (Get-FcAsyncTask hold -TaskId 'ctrlc-000001' @conn).IsTerminal | Should -BeFalse -Because 'the tasks still run; only the wait stopped'
        }
        finally { Open-HoldLatch $held }
    }
}

Describe 'Invoke-FcFunction -AsyncTaskIdPrefix (API <Api>)' -ForEach @(
    @{ Api = '2023-03-30'; Svc = @{} }
    @{ Api = '2021-04-06'; Svc = @{ ServiceName = 'svc' } }
) {
    It 'gives the n-th input the prefix and n in six digits as its id, asynchronously; the batch lists and waits by its prefix' {
        $prefix = "nb$($Api -replace '-')-"
        $r = 'a', 'b', 'c' | Invoke-FcFunction quick -AsyncTaskIdPrefix $prefix @Svc @conn
        $r.AsyncTaskId | Should -Be @("${prefix}000001", "${prefix}000002", "${prefix}000003")
        $r.InvocationType | Should -Be @('Async', 'Async', 'Async')
        $done = Get-FcAsyncTask quick -TaskIdPrefix $prefix @Svc @conn | Wait-FcAsyncTask @conn
        ($done.Payload | Sort-Object) | Should -Be @('a', 'b', 'c')
    }

    It 'refuses a prefix that makes no valid task id, or too long one, before sending anything' {
        $before = $emu.RequestCount
        { 'x' | Invoke-FcFunction quick -AsyncTaskIdPrefix '1-starts-with-a-digit' @Svc @conn } | Should -Throw -ErrorId 'FcInvalidArgument*'
        { 'x' | Invoke-FcFunction quick -AsyncTaskIdPrefix 'has space' @Svc @conn } | Should -Throw -ErrorId 'FcInvalidArgument*'
        $tooLong = 'p' * 123
        { 'x' | Invoke-FcFunction quick -AsyncTaskIdPrefix $tooLong @Svc @conn } | Should -Throw '*would be 129 characters*at most 128*'
        $emu.RequestCount | Should -Be $before
        $longest = 'x' | Invoke-FcFunction quick -AsyncTaskIdPrefix ('p' * 122) @Svc @conn
        $longest.AsyncTaskId | Should -Be (('p' * 122) + '000001')
    }

    It 'refuses -AsyncTaskIdPrefix with -AsyncTaskId or with a synchronous invocation, per input' {
        $before = $emu.RequestCount
        $null = Invoke-FcFunction quick 'x' -AsyncTaskIdPrefix 'both-' -AsyncTaskId 'one' @Svc @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidArgument*'
        $err[0].Exception.Message | Should -Match 'not both'
        $null = Invoke-FcFunction quick 'x' -AsyncTaskIdPrefix 'sync-' -InvocationType Sync @Svc @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidArgument*'
        $err[0].Exception.Message | Should -Match 'asynchronous invocations only'
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'Batch ids are resent safely: every input queued once although answers are lost (API <Api>)' -ForEach @(
    @{ Api = '2023-03-30'; Svc = @{} }
    @{ Api = '2021-04-06'; Svc = @{ ServiceName = 'svc' } }
) {
    BeforeAll {
        # Half the submissions are queued, then answered with a 500 or a dropped connection.
        $script:lossy = Start-FcEmulator -Function @{ 'work' = { param($Event) "done $Event" }; 'svc/work' = { param($Event) "done $Event" } } `
            -ServerErrorAfterRunRate 0.25 -DropAfterRunRate 0.25 -MaxConcurrency 16
        $script:lossyConn = Get-FcTestConnection $lossy
    }
    AfterAll { $lossy | Stop-FcEmulator }

    It 'queues each of 40 inputs exactly once and reports every one accepted' {
        $prefix = "once$($Api -replace '-')-"
        $r = 1..40 | ForEach-Object { "$prefix$_" } | Invoke-FcFunction work -AsyncTaskIdPrefix $prefix -ThrottleLimit 8 @Svc @lossyConn -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $r | Should -HaveCount 40
        ($r.AsyncTaskId | Sort-Object) | Should -Be (1..40 | ForEach-Object { "$prefix{0:d6}" -f $_ })
        $posts = @($lossy.RecentRequests | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/invocations' })
        $lost = @($posts | Where-Object { $_.Fault -in 'ServerErrorAfterRun', 'DropAfterRun' -and $_.StatusCode -ne 409 })
        $lost.Count | Should -BeGreaterThan 5 -Because 'about half the first attempts lost their answer'
        @($r | Where-Object AcceptedEarlier).Count | Should -Be $lost.Count

        $null = $r | Wait-FcAsyncTask @lossyConn -TimeoutSec 60
        $counts = $lossy.InputExecutionCounts
        @($counts.Keys | Where-Object { $_ -like "$prefix*" }) | Should -HaveCount 40
        @($counts.GetEnumerator() | Where-Object { $_.Key -like "$prefix*" -and $_.Value -ne 1 }) | Should -BeNullOrEmpty -Because 'no input ran twice'
        (Get-FcAsyncTask work -TaskIdPrefix $prefix @Svc @lossyConn).Count | Should -Be 40
    }
}
