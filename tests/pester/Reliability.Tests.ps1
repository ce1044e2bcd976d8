# Trustworthy at the edges (docs/reliability.md): every cmdlet ends, within its bound, with a correct result or a
# documented error, whatever the server sends. A chosen-bytes loopback server (RawFixture.ps1) plays the misbehaving
# FC and counts what reached it; the emulator's fault injection plays lost answers to async submissions. Each test
# runs in this pwsh process: that the suite goes on is the proof that the process survived.
# Long on purpose: one Describe per kind of misbehaviour, all sharing the one chosen-bytes server started here.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/RawFixture.ps1
    $script:R = [FcInvoke.TestFixtures.RawReply]
    $script:task = '{"taskId":"t-1","status":"Running","startedTime":1633449590000}'

    function Invoke-WithFixture {
        # Runs $Test with a fresh fixture answering $Reply, and its connection; disposes the fixture (ending stalls).
        param([Parameter(Mandatory)] [object[]] $Reply, [Parameter(Mandatory)] [scriptblock] $Test)
        $fixture = New-FcTestRawFixture $Reply
        try { & $Test $fixture (Get-FcTestRawConnection $fixture) }
        finally { $fixture.Dispose() }
    }
}

Describe 'One request on the wire per attempt' {
    It 'sends a read once with -MaxRetries 0 when the connection drops before the answer' {
        Invoke-WithFixture @($R::Drop()) {
            param($fixture, $conn)
            $out = Get-FcAsyncTask f -TaskId t-1 @conn -MaxRetries 0 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
            $fixture.RequestCount | Should -Be 1 -Because 'the HTTP handler resends nothing by itself'
        }
    }

    It 'sends each of the default retries once, each signed afresh' {
        Invoke-WithFixture @($R::Drop()) {
            param($fixture, $conn)
            $null = Get-FcAsyncTask f -TaskId t-1 @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.Message | Should -Match 'after 4 attempts'
            $fixture.RequestCount | Should -Be 4
            @($fixture.Requests.Nonce | Select-Object -Unique) | Should -HaveCount 4
        }
    }

    It 'sends every kind of call once with -MaxRetries 0: list, get function, get service, stop, invoke' {
        Invoke-WithFixture @($R::Drop()) {
            param($fixture, $conn)
            $calls = @(
                { Get-FcAsyncTask f @conn -MaxRetries 0 }
                { Get-FcFunction f @conn -MaxRetries 0 }
                { Get-FcFunction 'f*' @conn -MaxRetries 0 }
                { Get-FcService s @conn -MaxRetries 0 }
                { Stop-FcAsyncTask f -TaskId t-1 @conn -MaxRetries 0 -Confirm:$false }
                { Invoke-FcFunction f 'x' @conn -MaxRetries 0 }
                { Invoke-FcFunction f 'x' -AsyncTaskId job-1 @conn -MaxRetries 0 }
            )
            foreach ($call in $calls) {
                $before = $fixture.RequestCount
                $null = & $call -ErrorVariable err -ErrorAction SilentlyContinue 2>$null
                $fixture.RequestCount - $before | Should -Be 1 -Because "$call sends one request"
            }
        }
    }

    It 'never resends a sync invocation whose connection dropped, whatever -MaxRetries says' {
        Invoke-WithFixture @($R::Drop()) {
            param($fixture, $conn)
            $null = Invoke-FcFunction f 'x' @conn -MaxRetries 5 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.Message | Should -Match 'not retried, because the function may have run'
            $fixture.RequestCount | Should -Be 1
        }
    }
}

Describe 'Framing and size: answers that cannot be trusted are errors, not results' {
    It 'refuses two different Content-Length values' {
        Invoke-WithFixture @($R::Raw("HTTP/1.1 200 OK`r`nContent-Length: 10`r`nContent-Length: 5`r`n`r`n0123456789", 'Close')) {
            param($fixture, $conn)
            $r = Invoke-FcFunction f 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
            $err[0].Exception.Message | Should -Match 'two different lengths'
            $fixture.RequestCount | Should -Be 1
        }
    }

    It 'refuses a body shorter than it declared, holding only what arrived' {
        Invoke-WithFixture @($R::Declaring(200, 30MB, 10, 'Close')) {
            param($fixture, $conn)
            $before = [GC]::GetTotalAllocatedBytes($true)
            $r = Invoke-FcFunction f 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $allocated = [GC]::GetTotalAllocatedBytes($true) - $before
            $r | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
            $err[0].Exception.Message | Should -Match 'ended after 10 of the 31457280 bytes'
            $allocated | Should -BeLessThan 16MB -Because 'memory grows with what arrives, not with the 30 MiB claimed'
        }
    }

    It 'refuses a 512 MiB claim before reading, and a 2 GiB one on a read, and the process goes on' {
        Invoke-WithFixture @($R::Declaring(200, 512MB, 10, 'Close')) {
            param($fixture, $conn)
            $before = [GC]::GetTotalAllocatedBytes($true)
            $null = Invoke-FcFunction f 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $allocated = [GC]::GetTotalAllocatedBytes($true) - $before
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcResponseTooLarge,*'
            $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $err[0].Exception.DeclaredLength | Should -Be 512MB
            $err[0].Exception.Limit | Should -Be 40MB
            $err[0].Exception.Message | Should -Match 'The function may have run'
            $allocated | Should -BeLessThan 16MB
            $fixture.RequestCount | Should -Be 1
        }
        Invoke-WithFixture @($R::Declaring(200, [int]::MaxValue, 10, 'Close')) {
            param($fixture, $conn)
            $null = Get-FcAsyncTask f -TaskId t-1 @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcResponseTooLarge,*'
            $err[0].Exception.Limit | Should -Be 8MB
            $fixture.RequestCount | Should -Be 1 -Because 'a size limit is not retried'
        }
    }

    It 'survives a 2 GiB claim in a fresh pwsh too' {
        $fixture = New-FcTestRawFixture @($R::Declaring(200, [int]::MaxValue, 10, 'Close'))
        try {
            $lines = Invoke-FcTestPwsh @"
`$env:FCINVOKE_LOOPBACK_ONLY = 'true'
Import-Module '$FcTestModulePath'
`$c = [pscredential]::new('AK', (ConvertTo-SecureString 'SECRET' -AsPlainText -Force))
Invoke-FcFunction f 'x' -Endpoint '$($fixture.Endpoint)' -Credential `$c -ErrorVariable e -ErrorAction SilentlyContinue
'id=' + `$e[0].FullyQualifiedErrorId
'alive'
"@
            $lines | Should -Contain 'id=FcResponseTooLarge,FcInvoke.Commands.InvokeFcFunctionCommand'
            $lines | Should -Contain 'alive'
        }
        finally { $fixture.Dispose() }
    }

    It 'summarizes a gateway''s HTML 502 page in one short line without markup' {
        $page = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>' +
                ('<p>' + ('x' * 500) + '</p>') * 50 + '<hr><center>nginx</center></body></html>'
        Invoke-WithFixture @($R::Http(502, $page, 'text/html', [string[]]@())) {
            param($fixture, $conn)
            $null = Invoke-FcFunction f 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
            $err[0].Exception.ErrorCode | Should -Be 'HttpStatus502'
            $err[0].Exception.Message | Should -Match 'HTTP 502 Bad Gateway'
            $err[0].Exception.Message | Should -Not -Match '<'
            $err[0].Exception.Message.Length | Should -BeLessThan 200
            $fixture.RequestCount | Should -Be 1 -Because 'a 502 to a sync invocation may have run the function'
        }
    }
}

Describe 'Replies that are not what the operation returns' {
    It 'reports <Name> from GetAsyncTask as FcUnexpectedResponse, for Get- and Wait-FcAsyncTask alike' -ForEach @(
        @{ Name = 'an empty 200'; Body = '' }
        @{ Name = 'a JSON array'; Body = '[{"taskId":"t-1"}]' }
        @{ Name = 'a scalar'; Body = '"t-1"' }
        @{ Name = 'an object that is not a task'; Body = '{"message":"ok"}' }
        @{ Name = 'an HTML page'; Body = '<html><body><h1>Welcome</h1></body></html>' }
    ) {
        Invoke-WithFixture @((Get-FcTestRawJson -Body $Body)) {
            param($fixture, $conn)
            $null = Get-FcAsyncTask f -TaskId t-1 @conn -ErrorVariable getErr -ErrorAction SilentlyContinue
            $getErr[0].FullyQualifiedErrorId | Should -BeLike 'FcUnexpectedResponse,*'
            $getErr[0].Exception.Message | Should -Match 'GetAsyncTask answered HTTP 200'
            $getErr[0].Exception.Message | Should -Not -Match '<'
            $getErr[0].TargetObject | Should -Be 't-1'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $out = Wait-FcAsyncTask f -TaskId t-1 @conn -TimeoutSec 60 -ErrorVariable waitErr -ErrorAction SilentlyContinue
            $watch.Stop()
            $out | Should -BeNullOrEmpty
            $waitErr | Should -HaveCount 1
            $waitErr[0].FullyQualifiedErrorId | Should -BeLike 'FcUnexpectedResponse,*' -Because 'a wait fails with the id Get-FcAsyncTask uses'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'the wait does not poll a non-task until its timeout'
        }
    }

    It 'reports a task FC does not know with the same id from Get- and Wait-FcAsyncTask' {
        Invoke-WithFixture @((Get-FcTestRawJson -Status 404 -Body '{"Code":"AsyncTaskNotFound","Message":"async task ''t-1'' does not exist"}')) {
            param($fixture, $conn)
            $null = Get-FcAsyncTask f -TaskId t-1 @conn -ErrorVariable getErr -ErrorAction SilentlyContinue
            $null = Wait-FcAsyncTask f -TaskId t-1 @conn -TimeoutSec 30 -ErrorVariable waitErr -ErrorAction SilentlyContinue
            foreach ($e in $getErr[0], $waitErr[0]) {
                $e.FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
                $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
                $e.Exception.ErrorCode | Should -Be 'AsyncTaskNotFound'
                $e.TargetObject | Should -Be 't-1'
            }
            $fixture.RequestCount | Should -Be 2 -Because 'a 404 is not retried'
        }
    }

    It 'leaves out-of-range task fields empty, with a Verbose note, in Get- and Wait-FcAsyncTask' {
        $odd = '{"taskId":"t-1","status":"Succeeded","startedTime":99999999999999999,"endTime":-5,"durationMs":9223372036854775807,' +
               '"events":[{"eventId":1,"status":"Enqueued","timestamp":1e300}]}'
        Invoke-WithFixture @((Get-FcTestRawJson -Body $odd)) {
            param($fixture, $conn)
            $t = Get-FcAsyncTask f -TaskId t-1 @conn -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [FcInvoke.FcAsyncTask] }
            $t.TaskId | Should -Be 't-1'
            $t.Status | Should -Be 'Succeeded'
            $t.StartedTime | Should -BeNullOrEmpty
            $t.EndTime | Should -BeNullOrEmpty
            $t.Duration | Should -BeNullOrEmpty
            $t.Events[0].Time | Should -BeNullOrEmpty
            ($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match "task 't-1': startedTime 99999999999999999 is outside the range of dates"

            $w = Wait-FcAsyncTask f -TaskId t-1 @conn -TimeoutSec 20
            $w.Status | Should -Be 'Succeeded'
            $w.Duration | Should -BeNullOrEmpty
        }
    }
}

Describe 'Paging always ends' {
    It 'stops Get-FcAsyncTask when the server repeats its nextToken' {
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"tasks":[{"taskId":"t-{n}","status":"Running"}],"nextToken":"same"}')) {
            param($fixture, $conn)
            $out = Get-FcAsyncTask f @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $out.TaskId | Should -Be 't-1', 't-2'
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcPagingStalled,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidResult'
            $err[0].Exception.Message | Should -Match "ListAsyncTasks returned the nextToken 'same' a second time"
            $fixture.RequestCount | Should -Be 2
        }
    }

    It 'stops a listing of empty pages after 20 in a row, and -First does not make it endless' {
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"functions":[],"nextToken":"token-{n}"}')) {
            param($fixture, $conn)
            $out = Get-FcFunction @conn -First 5 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcPagingStalled,*'
            $err[0].Exception.Message | Should -Match '20 empty pages in a row'
            $fixture.RequestCount | Should -Be 20
        }
    }

    It 'stops Get-FcService on a repeated token even when everything is filtered out here' {
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"services":[{"serviceName":"zz-{n}"}],"nextToken":"again"}')) {
            param($fixture, $conn)
            $out = Get-FcService '*a*' @conn -First 3 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcPagingStalled,*'
            $fixture.RequestCount | Should -Be 2
        }
    }

    It 'ends as soon as -First is satisfied' {
        # An endless listing (a new token every page): only -First can end it.
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"tasks":[{"taskId":"a-{n}","status":"Running"},{"taskId":"b-{n}","status":"Failed"}],"nextToken":"next-{n}"}')) {
            param($fixture, $conn)
            # Two statuses are filtered here, so FC is asked for full pages; -First still ends the listing at once.
            $out = Get-FcAsyncTask f -Status Running, Succeeded @conn -First 3 -ErrorVariable err
            $err | Should -BeNullOrEmpty
            $out.TaskId | Should -Be 'a-1', 'a-2', 'a-3'
            $fixture.RequestCount | Should -Be 3
        }
    }
}

Describe 'Every cmdlet that talks to FC is bounded' {
    It 'ends <Name> at -TimeoutSec on a stalled answer' -ForEach @(
        @{ Name = 'Get-FcAsyncTask -TaskId'; Call = { param($c) Get-FcAsyncTask f -TaskId t-1 @c -TimeoutSec 1 } }
        @{ Name = 'Get-FcAsyncTask (list)'; Call = { param($c) Get-FcAsyncTask f @c -TimeoutSec 1 } }
        @{ Name = 'Stop-FcAsyncTask'; Call = { param($c) Stop-FcAsyncTask f -TaskId t-1 @c -TimeoutSec 1 -Confirm:$false } }
        @{ Name = 'Get-FcFunction'; Call = { param($c) Get-FcFunction f @c -TimeoutSec 1 } }
        @{ Name = 'Get-FcService'; Call = { param($c) Get-FcService @c -TimeoutSec 1 } }
        @{ Name = 'Invoke-FcFunction'; Call = { param($c) Invoke-FcFunction f 'x' @c -TimeoutSec 1 } }
    ) {
        Invoke-WithFixture @($R::Stall()) {
            param($fixture, $conn)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = @(& $Call $conn 2>&1 | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            $watch.Stop()
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcTimeout,*'
            $err[0].Exception.Message | Should -Match 'within 1 s \(-TimeoutSec\)'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'the stalled answer would otherwise hold it forever'
            $fixture.RequestCount | Should -Be 1
        }
    }

    It 'ends Connect-FcAccount at -TimeoutSec when STS does not answer' {
        Invoke-WithFixture @($R::Stall()) {
            param($fixture, $conn)
            $env:ALIBABA_CLOUD_STS_ENDPOINT = $fixture.Endpoint.ToString()
            try {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                { Connect-FcAccount -RamRoleArn 'acs:ram::123:role/r' -Credential $conn.Credential -Region cn-hangzhou -TimeoutSec 1 } |
                    Should -Throw -ErrorId 'FcTimeout,FcInvoke.Commands.ConnectFcAccountCommand'
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'STS''s own limit is 15 s; -TimeoutSec 1 ends it first'
                $fixture.RequestCount | Should -Be 1
            }
            finally { Remove-Item env:ALIBABA_CLOUD_STS_ENDPOINT; Disconnect-FcAccount }
        }
    }
}

Describe 'Wait-FcAsyncTask: a hard deadline' {
    It 'returns at -TimeoutSec although every poll stalls, with FcAsyncTaskWaitTimeout' {
        Invoke-WithFixture @($R::Stall()) {
            param($fixture, $conn)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $out = Wait-FcAsyncTask f -TaskId a, b @conn -TimeoutSec 2 -ErrorVariable err -ErrorAction SilentlyContinue
            $watch.Stop()
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcAsyncTaskWaitTimeout,*'
            $err[0].Exception.Message | Should -Match 'a \(not seen yet\), b \(not seen yet\)'
            # Each stalled poll alone would hold the wait for 30 s (its attempt limit), retried up to 3 times.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            $fixture.StalledCount | Should -Be 2
        }
    }

    It 'writes FcAsyncTaskWaitTimeout with -Any when nothing finished by the deadline' {
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"taskId":"t-{n}","status":"Running"}')) {
            param($fixture, $conn)
            $out = Wait-FcAsyncTask f -TaskId a, b @conn -Any -TimeoutSec 2 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcAsyncTaskWaitTimeout,*'
            $err[0].Exception.Message | Should -Match 'before any of the 2 task\(s\) finished'
        }
    }

    It 'writes no timeout with -Any once one task finished' {
        Invoke-WithFixture @((Get-FcTestRawJson -Body '{"taskId":"a","status":"Succeeded"}')) {
            param($fixture, $conn)
            $out = Wait-FcAsyncTask f -TaskId a, b @conn -Any -TimeoutSec 5 -ErrorVariable err
            $out | Should -Not -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }
    }
}

Describe 'Async submissions with a task id: exactly once although answers are lost (API <Api>)' -ForEach @(
    @{ Api = '2023-03-30'; Svc = @{} }
    @{ Api = '2021-04-06'; Svc = @{ ServiceName = 'svc' } }
) {
    BeforeAll {
        # Half the submissions are queued, then answered with a 500 or a dropped connection.
        $script:emu = Start-FcEmulator -Function @{ 'work' = { param($Event) "done $Event" }; 'svc/work' = { param($Event) "done $Event" } } `
            -ServerErrorAfterRunRate 0.25 -DropAfterRunRate 0.25 -MaxConcurrency 16
        $script:conn = Get-FcTestConnection $emu
    }
    AfterAll { $emu | Stop-FcEmulator }

    It 'queues every input exactly once and reports every one accepted' {
        $tag = "once$($Api -replace '-')"
        $inputs = 1..40 | ForEach-Object { [pscustomobject]@{ AsyncTaskId = "$tag-$_"; n = $_ } }
        # A row's column never sets the task id by itself; the delay-bind script block takes one per row.
        $r = $inputs | Invoke-FcFunction work -InvocationType Async -AsyncTaskId { $_.AsyncTaskId } @Svc @conn -ThrottleLimit 8 -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $r | Should -HaveCount 40
        ($r.AsyncTaskId | Sort-Object) | Should -Be ($inputs.AsyncTaskId | Sort-Object)

        $posts = @($emu.RecentRequests | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/invocations' })
        # A resend draws a fault too, but is answered 409 before an "after run" fault applies: only first attempts lose answers.
        $lost = @($posts | Where-Object { $_.Fault -in 'ServerErrorAfterRun', 'DropAfterRun' -and $_.StatusCode -ne 409 })
        $lost.Count | Should -BeGreaterThan 5 -Because 'about half the first attempts lost their answer'
        $posts.Count | Should -Be (40 + $lost.Count) -Because 'each lost answer was resent once, and only those'
        @($r | Where-Object AcceptedEarlier).Count | Should -Be $lost.Count
        $r | Where-Object AcceptedEarlier | ForEach-Object { $_.StatusCode | Should -Be 409; $_.Attempts | Should -Be 2 }

        $null = $r | Wait-FcAsyncTask @conn -TimeoutSec 60
        $counts = $emu.InputExecutionCounts
        $counts.Count | Should -Be 40 -Because 'every input (each a distinct payload) ran'
        @($counts.Values | Where-Object { $_ -ne 1 }) | Should -BeNullOrEmpty -Because 'no input ran twice'
        (Get-FcAsyncTask work -TaskIdPrefix $tag @Svc @conn).Count | Should -Be 40
    }

    It 'does not resend an async invocation without a task id once it may have been queued' {
        Reset-FcTestEmulator $emu
        $r = 1..20 | ForEach-Object { "free-$Api-$_" } | Invoke-FcFunction work -InvocationType Async @Svc @conn -ErrorVariable errs -ErrorAction SilentlyContinue
        $posts = @($emu.RecentRequests | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/invocations' })
        $posts | Should -HaveCount 20
        ($r.Count + $errs.Count) | Should -Be 20
        $errs.Count | Should -Be @($posts | Where-Object Fault -ne 'None').Count
        @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'FcConnectionFailed,*' }) | ForEach-Object {
            $_.Exception.Message | Should -Match 'give -AsyncTaskId'
        }
    }

    It 'keeps a 409 on the first attempt an error: the id was used before' {
        Set-FcTestEmulatorFaults $emu
        try {
            $id = "dup-$($Api -replace '-')"
            $null = Invoke-FcFunction work 'a' -AsyncTaskId $id @Svc @conn
            $r = Invoke-FcFunction work 'b' -AsyncTaskId $id @Svc @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].Exception.StatusCode | Should -Be 409
            $err[0].Exception.ErrorCode | Should -BeIn 'AsyncTaskAlreadyExists', 'StatefulAsyncInvocationAlreadyExists'
        }
        finally { Set-FcTestEmulatorFaults $emu @(0, 0, 0, 0.25, 0.25) }
    }
}
