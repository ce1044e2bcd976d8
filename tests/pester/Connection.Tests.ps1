# Connecting is one line (issue 14): $emu | Connect-FcAccount; results, tasks and functions remember the connection they
# came from; explicit parameters win; stopping the emulator the session points at clears the session context; one
# command lists every function.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $functions = @{
        'echo'       = { param($Event) $Event }
        'slow'       = { param($Event) Start-Sleep -Milliseconds 200; "slow $Event" }
        'svc/worker' = { param($Event) "worker $Event" }
        'svc/helper' = { param($Event) "helper $Event" }
        'ops/backup' = { param($Event) 'backed up' }
    }
    $script:a = Start-FcEmulator -Function $functions
    $script:b = Start-FcEmulator -Function $functions
    $script:connA = Get-FcTestConnection $a
    $script:connB = Get-FcTestConnection $b
    function Get-Polls($Emulator) { @($Emulator.RecentRequests | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/async-tasks/*' }) }
}

AfterAll {
    Disconnect-FcAccount
    $a, $b | Stop-FcEmulator -WarningAction SilentlyContinue
}

Describe 'Connect-FcAccount from the pipeline' {
    AfterEach { Disconnect-FcAccount }

    It 'connects to an emulator piped to it, in one line' {
        $ctx = $a | Connect-FcAccount
        $ctx.Endpoint | Should -Be $a.Endpoint
        $ctx.AccountId | Should -Be $a.AccountId
        $ctx.Region | Should -Be $a.Region
        $ctx.Source | Should -Be 'Emulator'
        (Get-FcContext) | Should -Be $ctx
        (Invoke-FcFunction echo 'no parameters').Result | Should -Be 'no parameters'
    }

    It 'lets explicit parameters win over what the emulator brings' {
        $ctx = $a | Connect-FcAccount -Endpoint $b.Endpoint
        $ctx.Endpoint | Should -Be $b.Endpoint
        $before = $b.RequestCount
        $null = Invoke-FcFunction echo 'to b' -Credential $b.Credential
        $b.RequestCount | Should -Be ($before + 1)
    }

    It 'makes a piped context the session default again, as it is' {
        $first = $a | Connect-FcAccount
        $null = $b | Connect-FcAccount
        $again = $first | Connect-FcAccount
        [object]::ReferenceEquals($again, $first) | Should -BeTrue
        (Get-FcContext).Endpoint | Should -Be $a.Endpoint
    }

    It 'refuses, in its own words, an object that brings no connection' {
        { [pscustomobject]@{ Name = 'x' } | Connect-FcAccount -ErrorAction Stop } |
            Should -Throw -ErrorId 'FcInvalidArgument,FcInvoke.Commands.ConnectFcAccountCommand' -ExpectedMessage '*an emulator*or a context*'
        Get-FcContext | Should -BeNullOrEmpty
    }
}

Describe 'Objects remember the connection they came from' {
    BeforeAll { Disconnect-FcAccount }

    It 'pipes results into Wait-, Get- and Stop-FcAsyncTask with no connection parameters' {
        $conn = Get-FcTestConnection $a
        $started = 1..2 | ForEach-Object { Invoke-FcFunction slow "$_" -AsyncTaskId "remember-$_" @conn }
        $started[0].Context.Endpoint | Should -Be $a.Endpoint
        $done = $started | Wait-FcAsyncTask -TimeoutSec 60
        $done.Status | Should -Be 'Succeeded', 'Succeeded'
        $done[0].Context.Endpoint | Should -Be $a.Endpoint
        ($started | Get-FcAsyncTask).ReturnPayload | Should -Be 'slow 1', 'slow 2'
        $started[0] | Stop-FcAsyncTask -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.StatusCode | Should -Be 400 -Because 'the task had finished: FC (here the emulator) answered, so the connection was the right one'
    }

    It 'pipes functions and services on with no connection parameters' {
        $conn = Get-FcTestConnection $a
        (Get-FcFunction echo @conn | Invoke-FcFunction -Payload 'piped').Result | Should -Be 'piped'
        (Get-FcService svc @conn | Get-FcFunction).Function | Should -Be 'svc/helper', 'svc/worker'
        ((Get-FcFunction echo @conn | Select-Object FunctionName, Context) | Invoke-FcFunction -Payload 'copy').Result | Should -Be 'copy'
    }

    It 'waits for tasks from two emulators together, each on its own' {
        $fromA = Invoke-FcFunction slow 'a' -AsyncTaskId 'two-a' @connA
        $fromB = Invoke-FcFunction slow 'b' -AsyncTaskId 'two-b' @connB
        $pollsA = (Get-Polls $a).Count; $pollsB = (Get-Polls $b).Count
        $done = $fromA, $fromB | Wait-FcAsyncTask -TimeoutSec 60
        ($done.TaskId | Sort-Object) | Should -Be 'two-a', 'two-b'
        (Get-Polls $a | Where-Object Path -like '*/two-b') | Should -BeNullOrEmpty
        (Get-Polls $a).Count | Should -BeGreaterThan $pollsA
        (Get-Polls $b).Count | Should -BeGreaterThan $pollsB
        ($done | Where-Object TaskId -eq 'two-b').Context.Endpoint | Should -Be $b.Endpoint
    }

    It 'lets an explicit parameter win over the piped object''s connection' {
        $fromA = Invoke-FcFunction echo 'x' -AsyncTaskId 'only-on-a' @connA
        $before = $b.RequestCount
        $fromA | Get-FcAsyncTask -Endpoint $b.Endpoint -Credential $b.Credential -ErrorVariable err -ErrorAction SilentlyContinue
        $b.RequestCount | Should -Be ($before + 1)
        $err[0].Exception.ErrorCode | Should -Be 'AsyncTaskNotFound'
    }
}

Describe 'Stopping the emulator the session points at' {
    It 'clears the session context, with a warning that says what to do' {
        $spare = Start-FcEmulator -Function @{ echo = { param($Event) $Event } }
        $null = $spare | Connect-FcAccount
        $other = Start-FcEmulator
        $other | Stop-FcEmulator -WarningVariable quiet -WarningAction SilentlyContinue
        $quiet | Should -BeNullOrEmpty -Because 'the session pointed at another emulator'
        (Get-FcContext).Endpoint | Should -Be $spare.Endpoint
        $spare | Stop-FcEmulator -WarningVariable warned -WarningAction SilentlyContinue
        Get-FcContext | Should -BeNullOrEmpty
        "$warned" | Should -Match ([regex]::Escape("pointed at the emulator on $($spare.Endpoint)"))
        "$warned" | Should -Match ([regex]::Escape('$emu | Connect-FcAccount'))
    }
}

Describe 'One command lists every function' {
    It 'lists FC 3.0 and FC 2.0 functions with -All, FcVersion telling them apart' {
        $all = Get-FcFunction -All @connA
        $all.Function | Should -Be 'echo', 'slow', 'ops/backup', 'svc/helper', 'svc/worker'
        $all.FcVersion | Should -Be '3.0', '3.0', '2.0', '2.0', '2.0'
        (Get-FcFunction -All -First 3 @connA).Function | Should -Be 'echo', 'slow', 'ops/backup'
    }

    It 'lists the functions of every service matching -ServiceName, and takes service/function names' {
        $conn = Get-FcTestConnection $a
        (Get-FcFunction -ServiceName * @conn).Function | Should -Be 'ops/backup', 'svc/helper', 'svc/worker'
        (Get-FcFunction 'svc/w*' @conn).Function | Should -Be 'svc/worker'
        (Get-FcFunction 'svc/helper' @conn).FcVersion | Should -Be '2.0'
        ('echo', 'ops/backup' | Get-FcFunction @conn).Function | Should -Be 'echo', 'ops/backup'
    }
}
