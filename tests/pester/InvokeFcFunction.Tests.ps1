BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'echo'          = { param($Event, $Context) $Event }
        'hello'         = { param($Event, $Context) Write-Host "got $Event"; Write-Verbose 'a verbose line'; "Hello, $Event" }
        'context'       = { param($Event, $Context) $Context }
        'boom'          = { param($Event) Write-Host 'about to fail'; throw "boom: $Event" }
        'slow'          = { param($Event) Start-Sleep -Seconds ([int]$Event); 'done' }
        'touch'         = { param($Event) Set-Content -Path $Event -Value 'ran' }
        'svc/echo'      = { param($Event, $Context) $Event }
        'svc/context'   = { param($Event, $Context) $Context }
    }
    $script:conn = Get-FcTestConnection $emu
}

AfterAll {
    $emu | Stop-FcEmulator
}

Describe 'Invoke-FcFunction: synchronous invocations' {
    It 'returns a typed result for an FC 3.0 function' {
        $r = Invoke-FcFunction -FunctionName hello -Payload 'world' @conn
        $r | Should -BeOfType ([FcInvoke.FcInvocationResult])
        $r.Result | Should -Be 'Hello, world'
        $r.StatusCode | Should -Be 200
        $r.RequestId | Should -Match '^1-'
        $r.InvocationType | Should -Be 'Sync'
        $r.ApiVersion | Should -Be '2023-03-30'
        $r.ExecutedVersion | Should -Be 'LATEST'
        $r.InstanceId | Should -Not -BeNullOrEmpty
        $r.CodeChecksum | Should -Match '^\d+$'
        $r.DurationMs | Should -BeGreaterOrEqual 0
        $r.MaxMemoryUsageMB | Should -BeGreaterThan 0
        $r.Logs | Should -BeNullOrEmpty
        [Text.Encoding]::UTF8.GetString($r.RawResult) | Should -Be 'Hello, world'
    }

    It 'uses API 2021-04-06 with -ServiceName and passes -Qualifier' {
        $r = Invoke-FcFunction context -ServiceName svc -Qualifier prod @conn
        $r.ApiVersion | Should -Be '2021-04-06'
        $r.ServiceName | Should -Be 'svc'
        $r.ExecutedVersion | Should -Be 'prod'
        $ctx = $r.Result | ConvertFrom-Json
        $ctx.ServiceName | Should -Be 'svc'
        $ctx.Qualifier | Should -Be 'prod'
        $last = $emu.RecentRequests | Where-Object RequestId -eq $r.RequestId
        $last.Path | Should -Be '/2021-04-06/services/svc/functions/context/invocations'
        $last.Query | Should -Be 'qualifier=prod'
        $last.Headers['x-acs-version'] | Should -Be '2021-04-06'
        $last.Headers['x-fc-account-id'] | Should -Be $emu.AccountId
    }

    It 'sends a string payload as UTF-8 as it is' {
        (Invoke-FcFunction echo '{"k": "v"} 日本語' @conn).Result | Should -Be '{"k": "v"} 日本語'
    }

    It 'sends a byte[] payload raw' {
        $bytes = [Text.Encoding]::UTF8.GetBytes('raw bytes ✓')
        (Invoke-FcFunction echo -Payload $bytes @conn).Result | Should -Be 'raw bytes ✓'
    }

    It 'serializes hashtables, PSCustomObjects and arrays to JSON, deeper than ConvertTo-Json''s default' {
        $h = (Invoke-FcFunction echo -Payload @{ a = 1; nested = @{ b = @{ c = @{ d = 'deep' } } } } @conn).Result | ConvertFrom-Json
        $h.a | Should -Be 1
        $h.nested.b.c.d | Should -Be 'deep'
        $o = (Invoke-FcFunction echo -Payload ([pscustomobject]@{ name = 'x'; when = [datetime]'2026-01-02T03:04:05Z'; ok = $true }) @conn).Result | ConvertFrom-Json
        $o.name | Should -Be 'x'
        $o.ok | Should -BeTrue
        (Invoke-FcFunction echo -Payload @(1, 'two', @{ three = 3 }) @conn).Result | Should -Be '[1,"two",{"three":3}]'
    }

    It 'sends an empty body when there is no payload' {
        $r = Invoke-FcFunction echo @conn
        $r.Result | Should -Be ''
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).BodyLength | Should -Be 0
    }

    It 'invokes once per pipeline input, in order' {
        $results = 'a', 'b', 'c' | Invoke-FcFunction echo @conn
        $results.Result | Should -Be @('a', 'b', 'c')
    }

    It 'binds FunctionName, ServiceName and Qualifier by property name' {
        $r = [pscustomobject]@{ FunctionName = 'context'; ServiceName = 'svc'; Qualifier = 'blue' } | Invoke-FcFunction @conn
        ($r.Result | ConvertFrom-Json).Qualifier | Should -Be 'blue'
    }

    It 'sends -InputFile as the payload' {
        $path = Join-Path $TestDrive 'event.json'
        Set-Content -Path $path -Value '{"from":"file"}' -NoNewline
        (Invoke-FcFunction echo -InputFile $path @conn).Result | Should -Be '{"from":"file"}'
    }

    It 'passes -TraceId to the function' {
        $r = Invoke-FcFunction context -TraceId 'trace-42' @conn
        ($r.Result | ConvertFrom-Json).TraceId | Should -Be 'trace-42'
    }
}

Describe 'Invoke-FcFunction: logs' {
    It 'returns the decoded log tail with -LogType Tail' {
        $r = Invoke-FcFunction hello 'you' -LogType Tail @conn
        $r.Logs | Should -Match "FC Invoke Start RequestId: $([regex]::Escape($r.RequestId))"
        $r.Logs | Should -Match '\[INFO\] got you'
        $r.Logs | Should -Match '\[VERBOSE\] a verbose line'
        $r.Logs | Should -Match "FC Invoke End RequestId: $([regex]::Escape($r.RequestId))"
    }

    It 'asks for no log without -LogType' {
        $r = Invoke-FcFunction hello 'you' @conn
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Headers['x-fc-log-type'] | Should -Be 'None'
        $r.Logs | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-FcFunction: asynchronous invocations' {
    It 'returns 202 with a generated task id, and the function runs in the background (FC 3.0)' {
        $marker = Join-Path $TestDrive 'async3.txt'
        $r = Invoke-FcFunction touch $marker -InvocationType Async @conn
        $r.StatusCode | Should -Be 202
        $r.InvocationType | Should -Be 'Async'
        $r.AsyncTaskId | Should -Not -BeNullOrEmpty
        Wait-FcTestCondition { Test-Path $marker } -Because 'the async function ran'
    }

    It 'uses the caller''s task id on FC 2.0 and sends the stateful headers' {
        $r = Invoke-FcFunction echo -ServiceName svc 'x' -InvocationType Async -AsyncTaskId 'job-2-a' @conn
        $r.AsyncTaskId | Should -Be 'job-2-a'
        $sent = ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Headers
        $sent['x-fc-invocation-type'] | Should -Be 'Async'
        $sent['x-fc-stateful-async-invocation-id'] | Should -Be 'job-2-a'
        $sent['x-fc-stateful-async-invocation-enable'] | Should -Be 'true'
    }

    It 'sends x-fc-async-task-id on FC 3.0, and -AsyncTaskId alone implies Async' {
        $r = Invoke-FcFunction echo 'x' -AsyncTaskId 'job-3-a' @conn
        $r.InvocationType | Should -Be 'Async'
        $r.AsyncTaskId | Should -Be 'job-3-a'
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Headers['x-fc-async-task-id'] | Should -Be 'job-3-a'
    }

    It 'sends X-Fc-Stateful-Async-Invocation-Enable with -EnableAsyncTask' {
        $r = Invoke-FcFunction echo -ServiceName svc 'x' -InvocationType Async -EnableAsyncTask @conn
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Headers['x-fc-stateful-async-invocation-enable'] | Should -Be 'true'
    }

    It 'reports a reused task id as the API error FC gives (409)' {
        $null = Invoke-FcFunction echo 'x' -AsyncTaskId 'job-dup' @conn
        $r = Invoke-FcFunction echo 'x' -AsyncTaskId 'job-dup' @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err[0].Exception.StatusCode | Should -Be 409
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }
}
