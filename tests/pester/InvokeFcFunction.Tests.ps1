# Invoke-FcFunction against the emulator: every parameter, both API versions, sync and async, errors, connection
# settings, secrecy. Long on purpose: the cases share one emulator started once; each Describe is one concern.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'echo'          = { param($Event, $Context) $Event }
        'hello'         = { param($Event, $Context) Write-Host "got $Event"; Write-Verbose 'a verbose line'; "Hello, $Event" }
        'context'       = { param($Event, $Context) $Context }
        'boom'          = { param($Event) Write-Host 'about to fail'; throw "boom: $Event" }
        # Runs until the test sets the FcInvokeTestRelease latch (or a minute has passed).
        'held'          = { param($Event) if ([AppDomain]::CurrentDomain.GetData('FcInvokeTestRelease').Wait(60000)) { 'released' } else { 'timeout' } }
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
        $r.Duration | Should -BeOfType ([TimeSpan])
        $r.Function | Should -Be 'hello'
        $r.MaxMemoryUsageMB | Should -BeGreaterThan 0
        $r.Logs | Should -Match 'got world'
        [Text.Encoding]::UTF8.GetString($r.RawResult) | Should -Be 'Hello, world'
    }

    It 'uses API 2021-04-06 with -ServiceName and passes -Qualifier' {
        $r = Invoke-FcFunction context -ServiceName svc -Qualifier prod @conn
        $r.ApiVersion | Should -Be '2021-04-06'
        $r.ServiceName | Should -Be 'svc'
        $r.ExecutedVersion | Should -Be 'LATEST' -Because 'svc declares no aliases, so any alias name runs LATEST'
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

    It 'binds FunctionName by property name, and ServiceName and Qualifier from a row only when asked with a delay-bind script block' {
        # Changed with issue 14: a row's ServiceName and Qualifier columns no longer choose the function (Binding.Tests.ps1).
        $r = [pscustomobject]@{ FunctionName = 'context'; ServiceName = 'svc'; Qualifier = 'blue' } |
            Invoke-FcFunction -ServiceName { $_.ServiceName } -Qualifier { $_.Qualifier } @conn
        ($r.Result | ConvertFrom-Json).Qualifier | Should -Be 'blue'
        $r.ServiceName | Should -Be 'svc'
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

    It 'asks for the log tail of a synchronous invocation by default, and for none with -LogType None' {
        # Changed with issue 14: the default was None; now a failed sync invocation always carries its log.
        $r = Invoke-FcFunction hello 'you' @conn
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Headers['x-fc-log-type'] | Should -Be 'Tail'
        $r.Logs | Should -Match '\[INFO\] got you'
        $none = Invoke-FcFunction hello 'you' -LogType None @conn
        ($emu.RecentRequests | Where-Object RequestId -eq $none.RequestId).Headers['x-fc-log-type'] | Should -Be 'None'
        $none.Logs | Should -BeNullOrEmpty
        $async = Invoke-FcFunction hello 'you' -InvocationType Async @conn
        ($emu.RecentRequests | Where-Object RequestId -eq $async.RequestId).Headers['x-fc-log-type'] | Should -Be 'None'
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

Describe 'Invoke-FcFunction: function errors' {
    It 'writes a non-terminating FcFunctionError whose target is the input and whose exception holds the full result' {
        # Changed with issue 14: the TargetObject was the result; it is the input for every kind of failure now.
        $out = Invoke-FcFunction boom 'bad input' @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcFunctionError*'
        $err[0].Exception | Should -BeOfType ([FcInvoke.FcFunctionException])
        $err[0].Exception.Message | Should -Match 'boom: bad input'
        $err[0].TargetObject | Should -Be 'bad input'
        $target = $err[0].Exception.Result
        $target | Should -BeOfType ([FcInvoke.FcInvocationResult])
        $target.InputObject | Should -Be 'bad input'
        $target.ErrorType | Should -Be 'UnhandledInvocationError'
        $target.ErrorMessage | Should -Be 'boom: bad input'
        $target.RequestId | Should -Not -BeNullOrEmpty
        $target.Logs | Should -Match 'about to fail'
        ($target.Result | ConvertFrom-Json).errorMessage | Should -Be 'boom: bad input'
    }

    It 'keeps going with the next input after a function error' {
        $results = 'ok-1', 'ok-2' | ForEach-Object { Invoke-FcFunction boom $_ @conn -ErrorAction SilentlyContinue; Invoke-FcFunction echo $_ @conn }
        $results.Result | Should -Be @('ok-1', 'ok-2')
    }

    It 'becomes terminating with -ErrorAction Stop' {
        $caught = $null
        try { Invoke-FcFunction boom 'x' @conn -ErrorAction Stop; $reached = $true } catch { $caught = $_ }
        $reached | Should -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'FcFunctionError*'
        $caught.Exception.Result.RequestId | Should -Not -BeNullOrEmpty
        $caught.TargetObject | Should -Be 'x'
    }
}

Describe 'Invoke-FcFunction: API errors' {
    It 'reports an unknown FC 3.0 function as FcServiceException FunctionNotFound (ObjectNotFound)' {
        Invoke-FcFunction nosuch @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $ex = $err[0].Exception
        $ex | Should -BeOfType ([FcInvoke.FcServiceException])
        $ex.ErrorCode | Should -Be 'FunctionNotFound'
        $ex.StatusCode | Should -Be 404
        $ex.RequestId | Should -Not -BeNullOrEmpty
        $ex.Message | Should -Be "FunctionNotFound: function 'nosuch' does not exist. (RequestId $($ex.RequestId))"
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'parses the FC 2.0 error shape (unknown service and unknown function)' {
        Invoke-FcFunction echo -ServiceName nosvc @conn -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].Exception.ErrorCode | Should -Be 'ServiceNotFound'
        Invoke-FcFunction nofn -ServiceName svc @conn -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].Exception.ErrorCode | Should -Be 'FunctionNotFound'
        $e2[0].Exception.ErrorMessage | Should -Be "function 'nofn' does not exist in service 'svc'"
    }

    It 'reports a wrong secret as SignatureNotMatch (PermissionDenied)' {
        $wrong = [pscredential]::new($emu.AccessKeyId, (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))
        Invoke-FcFunction echo -Endpoint $emu.Endpoint -Credential $wrong -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'SignatureNotMatch'
        $err[0].Exception.StatusCode | Should -Be 403
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'reports an unknown key as InvalidAccessKeyID' {
        $unknown = [pscredential]::new('LTAInobody', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        Invoke-FcFunction echo -Endpoint $emu.Endpoint -Credential $unknown -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'InvalidAccessKeyID'
    }

    It 'becomes terminating with -ErrorAction Stop' {
        { Invoke-FcFunction nosuch @conn -ErrorAction Stop } | Should -Throw -ErrorId 'FcServiceError*'
    }
}

Describe 'Invoke-FcFunction: invalid input is refused before anything is sent' {
    BeforeEach { $before = $emu.RequestCount }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'a function name starting with a digit'; Splat = @{ FunctionName = '1fn' }; Id = 'FcInvalidName' }
        @{ Case = 'a function name longer than 64'; Splat = @{ FunctionName = 'f' * 65 }; Id = 'FcInvalidName' }
        @{ Case = 'a service name with a dot'; Splat = @{ FunctionName = 'echo'; ServiceName = 'my.svc' }; Id = 'FcInvalidName' }
        @{ Case = 'a qualifier starting with -'; Splat = @{ FunctionName = 'echo'; Qualifier = '-x' }; Id = 'FcInvalidName' }
        @{ Case = 'a task id starting with a digit'; Splat = @{ FunctionName = 'echo'; AsyncTaskId = '9job' }; Id = 'FcInvalidArgument' }
        @{ Case = 'a task id on a sync invocation'; Splat = @{ FunctionName = 'echo'; AsyncTaskId = 'job'; InvocationType = 'Sync' }; Id = 'FcInvalidArgument' }
        @{ Case = '-EnableAsyncTask on FC 3.0'; Splat = @{ FunctionName = 'echo'; EnableAsyncTask = $true; InvocationType = 'Async' }; Id = 'FcInvalidArgument' }
        @{ Case = 'an async payload over 256 KB (the most FC grants an account)'; Splat = @{ FunctionName = 'echo'; InvocationType = 'Async'; Payload = 'x' * (256KB + 1) }; Id = 'FcPayloadTooLarge' }
    ) {
        Invoke-FcFunction @Splat @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id*"
        $err[0].Exception.Message | Should -Not -BeNullOrEmpty
        $emu.RequestCount | Should -Be $before
    }

    It 'refuses a sync input file over 32 MB' {
        $big = Join-Path $TestDrive 'big.bin'
        $fs = [IO.File]::Create($big); $fs.SetLength(32MB + 1); $fs.Dispose()
        Invoke-FcFunction echo -InputFile $big @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcPayloadTooLarge*'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $emu.RequestCount | Should -Be $before
    }

    It 'refuses a missing input file' {
        Invoke-FcFunction echo -InputFile (Join-Path $TestDrive 'nope.json') @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcInputFileNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $emu.RequestCount | Should -Be $before
    }

    It 'sends nothing with -WhatIf and shows the request with secrets redacted' {
        $text = Get-FcTestHostOutput { Invoke-FcFunction echo 'xyz' @conn -LogType Tail -WhatIf }
        $emu.RequestCount | Should -Be $before
        $text | Should -Match "POST $([regex]::Escape($emu.Endpoint.AbsoluteUri))2023-03-30/functions/echo/invocations"
        $text | Should -Match 'x-fc-log-type: Tail'
        $text | Should -Match 'Signature=<redacted>'
        $text | Should -Match 'body: 3 bytes'
    }
}

Describe 'Invoke-FcFunction: connection settings' {
    BeforeEach { $before = $emu.RequestCount }
    AfterEach { foreach ($n in 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_REGION_ID', 'ALIBABA_CLOUD_ACCOUNT_ID') { Remove-Item "env:$n" -ErrorAction SilentlyContinue } }

    It 'takes credentials from ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET when -Credential is absent' {
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $emu.AccessKeyId
        $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = Get-FcTestSecret $emu
        (Invoke-FcFunction echo 'from env' -Endpoint $emu.Endpoint).Result | Should -Be 'from env'
    }

    It 'fails with FcCredentialNotFound, naming what it tried, when there are no credentials' {
        { Invoke-FcFunction echo -Endpoint $emu.Endpoint -ErrorAction Stop } | Should -Throw -ErrorId 'FcCredentialNotFound*'
        # Terminating even without -ErrorAction Stop: no input can succeed without credentials.
        $caught = $null
        try { Invoke-FcFunction echo -Endpoint $emu.Endpoint } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'FcCredentialNotFound*'
        $caught.Exception.Message | Should -Match 'ALIBABA_CLOUD_ACCESS_KEY_ID'
        $emu.RequestCount | Should -Be $before
    }

    It 'builds the account endpoint from region and account id (env or parameters), and -Internal' {
        $env:ALIBABA_CLOUD_REGION_ID = 'cn-shanghai'
        $env:ALIBABA_CLOUD_ACCOUNT_ID = '1234567890'
        $text = Get-FcTestHostOutput { Invoke-FcFunction echo -Credential $emu.Credential -WhatIf }
        $text | Should -Match 'POST https://1234567890\.cn-shanghai\.fc\.aliyuncs\.com/2023-03-30/functions/echo/invocations'
        $text = Get-FcTestHostOutput { Invoke-FcFunction echo -Credential $emu.Credential -Region ap-southeast-1 -AccountId 42 -Internal -WhatIf }
        $text | Should -Match 'https://42\.ap-southeast-1-internal\.fc\.aliyuncs\.com/'
    }

    It 'fails clearly without an endpoint, region or account' {
        { Invoke-FcFunction echo -Credential $emu.Credential -ErrorAction Stop } | Should -Throw -ErrorId 'FcEndpointUnknown*'
    }
}

Describe 'Invoke-FcFunction: secrets stay secret' {
    It 'never prints the AccessKey secret or the STS token in any stream' {
        $secret = Get-FcTestSecret $emu
        $token = 'STS-token-that-must-not-leak-' + [guid]::NewGuid()
        $tokenCred = @{ Endpoint = $emu.Endpoint; Credential = $emu.Credential; SecurityToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
        $all = Get-FcTestHostOutput {
            Invoke-FcFunction hello 'x' @conn -Verbose -Debug -LogType Tail
            Invoke-FcFunction nosuch @conn -Verbose -Debug -ErrorAction Continue
            Invoke-FcFunction boom 'x' @conn -Verbose -Debug -ErrorAction Continue
            Invoke-FcFunction echo 'x' @conn -WhatIf -Verbose
            Invoke-FcFunction echo 'x' @tokenCred -Verbose -Debug
            $emu | Format-List * | Out-String
            $emu.Credential | Format-List * | Out-String
        }
        $all | Should -Match 'Signature=<redacted>'
        $all | Should -Match 'x-acs-security-token: <redacted>'
        $all.Contains($secret) | Should -BeFalse
        $all.Contains($token) | Should -BeFalse
    }
}

Describe 'Invoke-FcFunction: timeouts and cancellation' {
    It 'stops waiting after -TimeoutSec with an FcTimeout error that says so' {
        # The function runs until the test releases it: the call can only come back by giving up at its timeout.
        $release = Set-FcTestShared 'FcInvokeTestRelease' ([Threading.ManualResetEventSlim]::new($false))
        try {
            $r = Invoke-FcFunction held -TimeoutSec 1 @conn -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcTimeout*'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err[0].Exception.Message | Should -Match '-TimeoutSec'
        }
        finally {
            $release.Set()
            $null = Set-FcTestShared 'FcInvokeTestRelease' $null
        }
    }

    It 'abandons the call when the pipeline is stopped (Ctrl+C) during a slow call' {
        # The server holds the call unanswered (a function that never returns): Stop() can only return by abandoning it,
        # and the client closing the connection is the evidence that it did, rather than waiting in the background.
        $server = Start-FcTestHoldingServer
        try {
            $state = Invoke-FcTestPipelineStop -ScriptBlock {
                param($ModulePath, $c)
                Import-Module $ModulePath
                Invoke-FcFunction slow '30' @c
            } -ArgumentList (Get-FcTestHoldingConnection $server) -Started { $server.Requests.Count -ge 1 }
            $state | Should -Be 'Stopped'
            Wait-FcTestCondition { @($server.Requests | Where-Object Closed).Count -ge 1 } -Because 'the call was abandoned'
            $server.Requests | Should -HaveCount 1
        }
        finally { $server | Stop-FcTestHoldingServer }
    }
}

Describe 'Invoke-FcFunction: Verbose and Debug messages (built only when wanted)' {
    It 'writes the per-attempt Verbose line with -Verbose' {
        $lines = Invoke-FcFunction echo 'v' @conn -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        @($lines.Message -match '^POST /2023-03-30/functions/echo/invocations -> 200 ').Count | Should -Be 1
    }

    It 'writes it when $VerbosePreference asks for it, and not otherwise' {
        $VerbosePreference = 'Continue'
        $on = Invoke-FcFunction echo 'v' @conn 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match ' -> 200 ' }
        $VerbosePreference = 'SilentlyContinue'
        $off = Invoke-FcFunction echo 'v' @conn 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        @($on).Count | Should -Be 1
        @($off).Count | Should -Be 0
    }

    It 'writes the redacted request with -Debug, and -Verbose:$false wins over the preference' {
        $debug = Invoke-FcFunction echo 'v' @conn -Debug 5>&1 | Where-Object { $_ -is [Management.Automation.DebugRecord] }
        ($debug.Message -join "`n") | Should -Match 'Attempt 1:'
        ($debug.Message -join "`n") | Should -Match 'Signature=<redacted>'
        $VerbosePreference = 'Continue'
        $quiet = Invoke-FcFunction echo 'v' @conn -Verbose:$false 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        @($quiet).Count | Should -Be 0
    }
}
