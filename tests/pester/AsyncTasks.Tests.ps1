BeforeAll {
    . $PSScriptRoot/Common.ps1
    $functions = @{}
    foreach ($prefix in '', 'svc/') {
        $functions["${prefix}work"] = { param($Event) Start-Sleep -Milliseconds ([int]$Event); "done $Event" }
        $functions["${prefix}fail"] = { param($Event) throw "failed on $Event" }
        $functions["${prefix}long"] = { param($Event) Start-Sleep -Seconds 60; 'never' }
        $functions["${prefix}bulk"] = { param($Event) $Event }
    }
    $script:emu = Start-FcEmulator -Function $functions
    $script:conn = Get-FcTestConnection $emu
}

AfterAll {
    $emu | Stop-FcEmulator
}

Describe 'Async tasks on API <Api>' -ForEach @(
    @{ Api = '2023-03-30'; Svc = @{} }
    @{ Api = '2021-04-06'; Svc = @{ ServiceName = 'svc' } }
) {
    It 'gets a task started without an id, piped from Invoke-FcFunction' {
        $started = Invoke-FcFunction work '10' -InvocationType Async @Svc @conn
        $started.AsyncTaskId | Should -Not -BeNullOrEmpty
        Wait-FcTestCondition { ($started | Get-FcAsyncTask @conn).Status -eq 'Succeeded' } -Because 'the task succeeded'
        $task = $started | Get-FcAsyncTask @conn
        $task | Should -BeOfType ([FcInvoke.FcAsyncTask])
        $task.TaskId | Should -Be $started.AsyncTaskId
        $task.FunctionName | Should -Be 'work'
        $task.ApiVersion | Should -Be $Api
        $task.ReturnPayload | Should -Be 'done 10'
        $task.RequestId | Should -Be $started.RequestId
        $task.StartedTime | Should -BeOfType ([DateTimeOffset])
        $task.EndTime | Should -BeGreaterOrEqual $task.StartedTime
        $task.Duration | Should -BeOfType ([TimeSpan])
        $task.InstanceId | Should -Not -BeNullOrEmpty
        $task.Events.Status | Should -Be @('Enqueued', 'Dequeued', 'Running', 'Succeeded')
        $task.Events[0].Time | Should -BeOfType ([DateTimeOffset])
    }

    It 'gets a task by the id the caller chose, with its payload and error' {
        $id = "fail-$($Api -replace '-')"
        $null = Invoke-FcFunction fail 'input-7' -AsyncTaskId $id @Svc @conn
        $task = Wait-FcAsyncTask fail -TaskId $id @Svc @conn
        $task.Status | Should -Be 'Failed'
        $task.ErrorMessage | Should -Be 'failed on input-7'
        $task.Payload | Should -Be 'input-7'
        $task.Events[-1].Detail | Should -Match 'UnhandledInvocationError'
        $task.ServiceName | Should -Be ($Svc.ServiceName ?? '')
    }

    It 'reports an unknown task as a not-found API error' {
        Get-FcAsyncTask work -TaskId 'no_such_task' @Svc @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.ErrorCode | Should -BeIn 'AsyncTaskNotFound', 'StatefulAsyncInvocationNotFound'
        $err[0].TargetObject | Should -Be 'no_such_task'
    }

    Context 'listing' {
        BeforeAll {
            $tag = "list$($Api -replace '-')"
            $script:ids = 1..6 | ForEach-Object { "$tag-$_" }
            $script:t0 = [DateTime]::UtcNow.AddSeconds(-1)
            foreach ($i in 0..5) {
                $fn = if ($i -lt 4) { 'work' } else { 'fail' }
                $null = Invoke-FcFunction $fn "$i" -AsyncTaskId $ids[$i] @Svc @conn
                Wait-FcTestClockTick  # distinct start times, so time filters and sort order are observable
            }
            $script:all = Wait-FcAsyncTask -FunctionName work -TaskId $ids[0..3] @Svc @conn
        }

        It 'lists a function''s tasks in start order, each once' {
            $list = Get-FcAsyncTask work -TaskIdPrefix $tag @Svc @conn
            $list.TaskId | Should -Be $ids[0..3]
        }

        It 'filters by one status, and by several' {
            (Get-FcAsyncTask work -Status Succeeded -TaskIdPrefix $tag @Svc @conn).Count | Should -Be 4
            Get-FcAsyncTask work -Status Failed -TaskIdPrefix $tag @Svc @conn | Should -BeNullOrEmpty
            $null = Wait-FcAsyncTask fail -TaskId $ids[4], $ids[5] @Svc @conn
            (Get-FcAsyncTask fail -Status Failed, Succeeded -TaskIdPrefix $tag @Svc @conn).TaskId | Should -Be $ids[4..5]
            $emu.RecentRequests | Where-Object { $_.Query -like '*status=Failed*' } | Should -Not -BeNullOrEmpty
        }

        It 'filters by start time' {
            $third = (Get-FcAsyncTask work -TaskId $ids[2] @Svc @conn).StartedTime.UtcDateTime
            (Get-FcAsyncTask work -TaskIdPrefix $tag -StartedAfter $third @Svc @conn).TaskId | Should -Be $ids[2..3]
            (Get-FcAsyncTask work -TaskIdPrefix $tag -StartedBefore $third @Svc @conn).TaskId | Should -Be $ids[0..2]
            Get-FcAsyncTask work -TaskIdPrefix $tag -StartedBefore $t0 @Svc @conn | Should -BeNullOrEmpty
        }

        It 'sorts descending, stops at -First, and includes payloads only when asked' {
            (Get-FcAsyncTask work -TaskIdPrefix $tag -SortOrder Descending @Svc @conn).TaskId | Should -Be $ids[3..0]
            (Get-FcAsyncTask work -TaskIdPrefix $tag -First 2 @Svc @conn).TaskId | Should -Be $ids[0..1]
            (Get-FcAsyncTask work -TaskIdPrefix $tag -Skip 1 -First 2 @Svc @conn).TaskId | Should -Be $ids[1..2]
            Get-FcAsyncTask work -TaskIdPrefix $tag @Svc @conn | Where-Object Payload | Should -BeNullOrEmpty
            (Get-FcAsyncTask work -TaskIdPrefix $tag -IncludePayload @Svc @conn).Payload | Should -Be @('0', '1', '2', '3')
        }

        It 'rejects a status FC does not have before sending' {
            { Get-FcAsyncTask work -Status Sleeping @Svc @conn } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    It 'follows nextToken over several pages (250 tasks)' {
        $tag = "page$($Api -replace '-')"
        1..250 | ForEach-Object { $null = Invoke-FcFunction bulk "$_" -AsyncTaskId "$tag-$('{0:d3}' -f $_)" @Svc @conn }
        Reset-FcTestEmulator $emu
        $list = Get-FcAsyncTask bulk -TaskIdPrefix $tag @Svc @conn
        $list.Count | Should -Be 250
        ($list.TaskId | Sort-Object -Unique).Count | Should -Be 250
        $pages = @($emu.RecentRequests | Where-Object { $_.Method -eq 'GET' -and $_.Path -match '(async-tasks|stateful-async-invocations)$' })
        $pages.Count | Should -Be 3
        $pages[1].Query | Should -Match 'nextToken='
        (Get-FcAsyncTask bulk -TaskIdPrefix $tag -First 120 @Svc @conn).Count | Should -Be 120
    }

    It 'stops a running task; -WhatIf sends nothing; -PassThru returns the task' {
        $id = "long-$($Api -replace '-')"
        $null = Invoke-FcFunction long 'x' -AsyncTaskId $id @Svc @conn
        Wait-FcTestCondition { (Get-FcAsyncTask long -TaskId $id @Svc @conn).Status -eq 'Running' } -Because 'the task runs'
        $before = $emu.RequestCount
        $text = Get-FcTestHostOutput { Stop-FcAsyncTask long -TaskId $id @Svc @conn -WhatIf }
        $text | Should -Match ([regex]::Escape("What if: Performing the operation ""Stop"" on target ""async task '$id'"))
        $emu.RequestCount | Should -Be $before
        $after = Stop-FcAsyncTask long -TaskId $id @Svc @conn -PassThru -Confirm:$false
        $after.TaskId | Should -Be $id
        $after.Status | Should -BeIn 'Stopping', 'Stopped'
        $final = Wait-FcAsyncTask long -TaskId $id -TimeoutSec 20 @Svc @conn
        $final.Status | Should -Be 'Stopped'
    }

    It 'waits on many tasks at once and sees every terminal state the emulator produces' {
        $tag = "many$($Api -replace '-')"
        $started = @(
            1..5 | ForEach-Object { Invoke-FcFunction work '50' -AsyncTaskId "$tag-ok-$_" @Svc @conn }
            1..3 | ForEach-Object { Invoke-FcFunction fail 'x' -AsyncTaskId "$tag-bad-$_" @Svc @conn }
            Invoke-FcFunction long 'x' -AsyncTaskId "$tag-stop" @Svc @conn
        )
        Wait-FcTestCondition { (Get-FcAsyncTask long -TaskId "$tag-stop" @Svc @conn).Status -eq 'Running' } -Because 'the long task runs'
        $null = Stop-FcAsyncTask long -TaskId "$tag-stop" @Svc @conn -Confirm:$false
        $done = $started | Wait-FcAsyncTask @conn
        $done.Count | Should -Be 9
        ($done | Group-Object Status -AsHashTable).Keys | Sort-Object | Should -Be @('Failed', 'Stopped', 'Succeeded')
        ($done | Where-Object Status -eq 'Succeeded').Count | Should -Be 5
        ($done | Where-Object Status -eq 'Failed').Count | Should -Be 3
        $done | ForEach-Object { $_.IsTerminal | Should -BeTrue }
    }

    It 'times out naming the tasks still running, and still writes those that finished' {
        $tag = "timeout$($Api -replace '-')"
        $quick = Invoke-FcFunction work '10' -AsyncTaskId "$tag-quick" @Svc @conn
        $slow = Invoke-FcFunction long 'x' -AsyncTaskId "$tag-slow" @Svc @conn
        # The quick one has finished before the wait starts, whatever the machine's load; the slow one runs for a minute.
        Wait-FcTestCondition { ($quick | Get-FcAsyncTask @conn).Status -eq 'Succeeded' } -Because 'the quick task finished'
        $out = $quick, $slow | Wait-FcAsyncTask -TimeoutSec 2 @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $out.TaskId | Should -Be "$tag-quick"
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcAsyncTaskWaitTimeout*'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].Exception.Message | Should -Match "$tag-slow \(Running\)"
        $err[0].Exception.Message | Should -Not -Match "$tag-quick"
        $null = Stop-FcAsyncTask long -TaskId "$tag-slow" @Svc @conn -Confirm:$false
    }

    It 'returns with -Any as soon as one task finishes' {
        $tag = "any$($Api -replace '-')"
        $slow = Invoke-FcFunction long 'x' -AsyncTaskId "$tag-slow" @Svc @conn
        $quick = Invoke-FcFunction work '10' -AsyncTaskId "$tag-quick" @Svc @conn
        $out = $slow, $quick | Wait-FcAsyncTask -Any @conn
        $out.TaskId | Should -Be "$tag-quick"
        ($slow | Get-FcAsyncTask @conn).IsTerminal | Should -BeFalse -Because 'the wait ended without waiting for the slow task'
        $null = Stop-FcAsyncTask long -TaskId "$tag-slow" @Svc @conn -Confirm:$false
    }
}

Describe 'Wait-FcAsyncTask cancellation' {
    It 'stops waiting when the pipeline is stopped, while the task still runs' {
        $task = Invoke-FcFunction long 'x' -AsyncTaskId 'cancel-wait' @conn
        $polls = { @($emu.RecentRequests | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/cancel-wait' }).Count }
        # The task runs for a minute, and the wait (which polls between pauses) would last as long: Stop() returning
        # (within the helper's 30 s hang guard) while the task still runs is the wait giving up at once.
        $state = Invoke-FcTestPipelineStop -ScriptBlock {
            param($ModulePath, $Endpoint, $Credential)
            Import-Module $ModulePath
            Wait-FcAsyncTask long -TaskId 'cancel-wait' -Endpoint $Endpoint -Credential $Credential
        } -ArgumentList $emu.Endpoint, $emu.Credential -Started { (& $polls) -ge 1 }
        $state | Should -Be 'Stopped'
        ($task | Get-FcAsyncTask @conn).IsTerminal | Should -BeFalse
        $null = Stop-FcAsyncTask long -TaskId 'cancel-wait' @conn -Confirm:$false
    }
}
