# Pipeline binding that does what it looks like (issue 14): rows are payloads; only FcInvoke's own objects choose the
# service, qualifier or task id; what the user names (values, delay-bind script blocks) wins. The table is in
# docs/cmdlets/Invoke-FcFunction.md ("Pipeline input").
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'process-order' = { param($Event, $Context) [pscustomobject]@{ event = $Event; qualifier = $Context.Qualifier; type = $Context.InvocationType } }
        'other/process-order' = { param($Event) 'the FC 2.0 function ran' }
        'job-a' = { param($Event) "a:$Event" }
        'job-b' = { param($Event) "b:$Event" }
    }
    $script:conn = Get-FcTestConnection $emu
    $script:csv = Join-Path $TestDrive 'orders.csv'
    @(
        'orderId,sku,TaskId,ServiceName,Qualifier'
        '1,A-1,task-1,other,prod'
        '2,B-2,task-2,other,prod'
    ) | Set-Content $csv
    function Get-Invocations { @($emu.RecentRequests | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/invocations' }) }
}

AfterAll { $emu | Stop-FcEmulator }

Describe 'Rows from Import-Csv and ConvertFrom-Json are payloads' {
    BeforeEach { Reset-FcTestEmulator $emu }

    It 'sends each row as the payload of the function named, never letting its columns change the service, qualifier, type or task id' {
        $r = Import-Csv $csv | Invoke-FcFunction process-order @conn -WarningVariable warned -WarningAction SilentlyContinue
        $r | Should -HaveCount 2
        $r.InvocationType | Should -Be 'Sync', 'Sync'
        $r.ServiceName | Should -Be '', ''
        ($r[0].Result | ConvertFrom-Json).event | ConvertFrom-Json | Select-Object -ExpandProperty orderId | Should -Be '1'
        $sent = Get-Invocations
        $sent.Path | Should -Be '/2023-03-30/functions/process-order/invocations', '/2023-03-30/functions/process-order/invocations'
        $sent.Query | Should -Be '', ''
        $sent | ForEach-Object { $_.Headers['x-fc-invocation-type'] | Should -Be 'Sync' }
        $sent | ForEach-Object { $_.Headers.ContainsKey('x-fc-async-task-id') | Should -BeFalse }
        $emu.ExecutionCounts['other/process-order'] | Should -Be 0
    }

    It 'says once per column which columns it did not use, and how to use them' {
        $null = Import-Csv $csv | Invoke-FcFunction process-order @conn -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -HaveCount 3
        ($warned -join "`n") | Should -Match "'TaskId' property was not used as -AsyncTaskId"
        ($warned -join "`n") | Should -Match "'ServiceName' property was not used as -ServiceName"
        ($warned -join "`n") | Should -Match ([regex]::Escape('-Qualifier { $_.Qualifier }'))
        # An empty column would change nothing: no warning for it.
        $null = [pscustomobject]@{ ServiceName = ''; n = 1 } | Invoke-FcFunction process-order @conn -WarningVariable none -WarningAction SilentlyContinue
        $none | Should -BeNullOrEmpty
    }

    It 'treats rows from ConvertFrom-Json the same way' {
        $rows = '[{"id":7,"AsyncTaskId":"x-7"},{"id":8,"AsyncTaskId":"x-8"}]' | ConvertFrom-Json
        $r = $rows | Invoke-FcFunction process-order @conn -WarningAction SilentlyContinue
        $r.InvocationType | Should -Be 'Sync', 'Sync'
        ($r[0].Result | ConvertFrom-Json).event | Should -Be '{"id":7,"AsyncTaskId":"x-7"}'
        (Get-Invocations).Headers.ContainsKey('x-fc-async-task-id') | Should -Be $false, $false
    }

    It 'takes the task id, service and qualifier from each row when asked with a delay-bind script block' {
        $r = Import-Csv $csv | Invoke-FcFunction process-order -AsyncTaskId { "order-$($_.orderId)" } @conn -WarningVariable w1 -WarningAction SilentlyContinue
        ($w1 -join "`n") | Should -Not -Match 'TaskId' -Because 'the task id was named by the user'
        $w1 | Should -HaveCount 2
        $r.InvocationType | Should -Be 'Async', 'Async'
        $r.AsyncTaskId | Should -Be 'order-1', 'order-2'
        (Get-Invocations | ForEach-Object { $_.Headers['x-fc-async-task-id'] }) | Should -Be 'order-1', 'order-2'

        $v2 = Import-Csv $csv | Invoke-FcFunction process-order -ServiceName { $_.ServiceName } -Qualifier { $_.Qualifier } @conn -WarningVariable w2 -WarningAction SilentlyContinue
        $w2 | Should -HaveCount 1
        "$w2" | Should -Match "'TaskId' property was not used"
        $v2.Result | Should -Be 'the FC 2.0 function ran', 'the FC 2.0 function ran'
        $v2.Qualifier | Should -Be 'prod', 'prod'
    }

    It 'lets a row name the function with a FunctionName column when the command line names none' {
        $r = [pscustomobject]@{ FunctionName = 'job-a'; n = 1 }, [pscustomobject]@{ FunctionName = 'job-b'; n = 2 } | Invoke-FcFunction @conn
        $r.Function | Should -Be 'job-a', 'job-b'
        # ... and the function named on the command line wins over the column.
        $same = [pscustomobject]@{ FunctionName = 'job-a'; n = 1 } | Invoke-FcFunction job-b @conn
        $same.Function | Should -Be 'job-b'
    }

    It 'does not take a row''s Name column as the function, and says so, sending nothing' {
        $before = $emu.RequestCount
        [pscustomobject]@{ Name = 'job-a'; n = 1 } | Invoke-FcFunction @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FcInvalidArgument,FcInvoke.Commands.InvokeFcFunctionCommand'
        "$($err[0])" | Should -Match 'No function is named for this input: give it on the command line \(Invoke-FcFunction <name>\)'
        $err[0].TargetObject.Name | Should -Be 'job-a'
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'FcInvoke''s own objects name the function' {
    It 'invokes each function piped from Get-FcFunction, in its service and qualifier, with no payload' {
        Reset-FcTestEmulator $emu
        $r = Get-FcFunction -ServiceName other -Qualifier prod @conn | Invoke-FcFunction @conn
        $r.Function | Should -Be 'other/process-order:prod'
        (Get-Invocations).BodyLength | Should -Be 0
        $r.InputObject | Should -BeOfType ([FcInvoke.FcFunctionInfo])
    }

    It 'invokes again the function of a piped result or task, without reusing its task id' {
        $first = Invoke-FcFunction job-a 'one' -AsyncTaskId 'once-only' @conn
        Reset-FcTestEmulator $emu
        $again = $first | Invoke-FcFunction -Payload 'two' @conn
        $again.Function | Should -Be 'job-a'
        $again.InvocationType | Should -Be 'Sync'
        $again.Result | Should -Be 'a:two'
        (Get-Invocations).Headers.ContainsKey('x-fc-async-task-id') | Should -BeFalse
        $task = $first | Wait-FcAsyncTask @conn -TimeoutSec 60
        ($task | Invoke-FcFunction @conn).Result | Should -Be 'a:'
    }

    It 'refuses to send one of its objects, or a script block, as a payload' {
        $before = $emu.RequestCount
        Invoke-FcFunction job-a -Payload { $_.id } @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'FcInvalidPayload,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err[0].Exception.Message | Should -Match 'script block'
        Invoke-FcFunction job-a -Payload @{ emulator = $emu } @conn -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidPayload,*'
        $err2[0].Exception.Message | Should -Match ([regex]::Escape('$.emulator is a live FcInvoke.Emulator.FcEmulator'))
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'The task cmdlets bind by property name' {
    It 'reads tasks named by rows (FunctionName, TaskId) and by results' {
        $started = 'r1', 'r2' | ForEach-Object { Invoke-FcFunction job-a $_ -AsyncTaskId "bind-$_" @conn }
        $rows = "FunctionName,TaskId`njob-a,bind-r1`njob-a,bind-r2" | ConvertFrom-Csv
        ($rows | Wait-FcAsyncTask @conn -TimeoutSec 60).TaskId | Sort-Object | Should -Be 'bind-r1', 'bind-r2'
        ($started | Get-FcAsyncTask @conn).ReturnPayload | Should -Be 'a:r1', 'a:r2'
    }
}
