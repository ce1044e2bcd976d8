# One error shape for Invoke-FcFunction, and errors that say what to do (issue 14).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'echo'      = { param($Event) $Event }
        'boom'      = { param($Event) Write-Host "working on $Event"; throw "boom: $Event" }
        'svc/echo2' = { param($Event) "v2 $Event" }
        'svc/slow'  = { param($Event) Start-Sleep -Milliseconds 100; 'done' }
    } -Alias @{ 'svc/echo2' = 'prod' }
    $script:conn = Get-FcTestConnection $emu
    $dead = Start-FcEmulator
    $script:deadEndpoint = $dead.Endpoint
    $dead | Stop-FcEmulator
}

AfterAll {
    Disconnect-FcAccount
    $emu | Stop-FcEmulator -WarningAction SilentlyContinue
}

Describe 'One error shape: TargetObject is the input, whatever failed' {
    It 'exposes each failed row the same way for function, service, validation and connection failures' {
        $rows = @(
            [pscustomobject]@{ FunctionName = 'boom'; orderId = 1 }       # the function fails
            [pscustomobject]@{ FunctionName = 'nosuch'; orderId = 2 }     # FC refuses (FunctionNotFound)
            [pscustomobject]@{ FunctionName = 'bad name!'; orderId = 3 }  # refused before sending
            [pscustomobject]@{ FunctionName = 'echo'; orderId = 4 }       # fine
        )
        $ok = $rows | Invoke-FcFunction @conn -ThrottleLimit 4 -ErrorVariable failed -ErrorAction SilentlyContinue
        $ok.InputObject.orderId | Should -Be 4
        $failed | Should -HaveCount 3
        ($failed.TargetObject.orderId | Sort-Object) | Should -Be 1, 2, 3
        ($failed | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Sort-Object) | Should -Be 'FcFunctionError', 'FcInvalidName', 'FcServiceError'

        $rows | Select-Object -First 2 | Invoke-FcFunction -Endpoint $deadEndpoint -Credential $emu.Credential -MaxRetries 0 -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -HaveCount 2
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
        $refused.TargetObject.orderId | Should -Be 1, 2
    }

    It 'keeps the full result, with its log tail, reachable from a function error, without asking for the log' {
        Invoke-FcFunction boom 'order-9' @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].TargetObject | Should -Be 'order-9'
        $result = $failed[0].Exception.Result
        $result | Should -BeOfType ([FcInvoke.FcInvocationResult])
        $result.Logs | Should -Match '\[INFO\] working on order-9'
        $result.InputObject | Should -Be 'order-9'
        try { Invoke-FcFunction boom 'order-10' @conn -ErrorAction Stop } catch [FcInvoke.FcFunctionException] { $caught = $_ }
        $caught.Exception.Result.Logs | Should -Match 'working on order-10'
    }

    It 'carries no log when asked for none' {
        Invoke-FcFunction boom 'quiet' -LogType None @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].Exception.Result.Logs | Should -BeNullOrEmpty
    }

    It 'names the input briefly in a batch, and not for a single invocation' {
        'first', 'second' | Invoke-FcFunction nosuch @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        "$($failed[0])" | Should -Match "^Input 1 \('first'\): FunctionNotFound"
        "$($failed[1])" | Should -Match "^Input 2 \('second'\): FunctionNotFound"
        [pscustomobject]@{ orderId = 42; sku = 'A-1'; qty = 3; note = 'gift' } | Invoke-FcFunction nosuch @conn -ErrorVariable row -ErrorAction SilentlyContinue
        "$($row[0])" | Should -Match ([regex]::Escape('Input 1 ({orderId=42, sku=A-1, qty=3, …}): FunctionNotFound'))
        Invoke-FcFunction nosuch 'alone' @conn -ErrorVariable single -ErrorAction SilentlyContinue
        "$($single[0])" | Should -Match '^FunctionNotFound'
        $single[0].Exception.Message | Should -BeLike "FunctionNotFound: function 'nosuch' does not exist.*" -Because "the exception keeps FC's own message"
    }
}

Describe 'Errors that say what to do' {
    It 'says where FunctionNotFound looked (FC 3.0, account, region) and suggests -ServiceName and Get-FcFunction -All' {
        Invoke-FcFunction echo2 @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        $text = "$($failed[0])"
        $text | Should -Match "looked for the FC 3.0 function 'echo2' in account $($emu.AccountId), region cn-hangzhou"
        $text | Should -Match ([regex]::Escape("-ServiceName <service> -FunctionName echo2, or '<service>/echo2'"))
        $text | Should -Match 'Get-FcFunction -All lists every function'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match 'Get-FcFunction -All'
    }

    It 'says which service it looked in for an FC 2.0 function' {
        Invoke-FcFunction nope -ServiceName svc @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        "$($failed[0])" | Should -Match "looked for 'nope' in the FC 2.0 service 'svc'"
        "$($failed[0])" | Should -Match 'Get-FcFunction -ServiceName svc lists'
        Invoke-FcFunction echo -ServiceName nosvc @conn -ErrorVariable missing -ErrorAction SilentlyContinue
        "$($missing[0])" | Should -Match "looked for the FC 2.0 service 'nosvc'.*Get-FcService lists the services"
    }

    It 'accepts service/function (the form tables show) wherever a function is named' {
        (Invoke-FcFunction svc/echo2 'x' @conn).Result | Should -Be 'v2 x'
        $r = Invoke-FcFunction 'svc/echo2:prod' 'y' @conn
        $r.Function | Should -Be 'svc/echo2:prod'
        (Invoke-FcFunction -FunctionName svc/echo2 -ServiceName svc 'z' @conn).ServiceName | Should -Be 'svc'
        $task = Invoke-FcFunction svc/slow -AsyncTaskId 'shorthand-1' @conn
        (Wait-FcAsyncTask svc/slow -TaskId 'shorthand-1' @conn -TimeoutSec 60).Status | Should -Be 'Succeeded'
        (Get-FcAsyncTask svc/slow -TaskId 'shorthand-1' @conn).Function | Should -Be 'svc/slow'
        (Get-FcAsyncTask svc/slow -TaskIdPrefix shorthand @conn).TaskId | Should -Be 'shorthand-1'
        Stop-FcAsyncTask svc/slow -TaskId 'shorthand-1' -Confirm:$false @conn -ErrorVariable stopped -ErrorAction SilentlyContinue
        $stopped[0].Exception.StatusCode | Should -Be 400 -Because 'the task of svc/slow was found, and it has finished'
        (Get-FcFunction svc/echo2 @conn).Function | Should -Be 'svc/echo2'
    }

    It 'refuses a shorthand that disagrees with -ServiceName or -Qualifier, before sending' {
        $before = $emu.RequestCount
        Invoke-FcFunction svc/echo2 -ServiceName other @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidName,*'
        "$($failed[0])" | Should -Match "names the service 'svc', but -ServiceName says 'other'"
        Invoke-FcFunction 'svc/echo2:prod' -Qualifier blue @conn -ErrorVariable failed2 -ErrorAction SilentlyContinue
        "$($failed2[0])" | Should -Match "names the qualifier 'prod', but -Qualifier says 'blue'"
        Invoke-FcFunction 'a/b/c' @conn -ErrorVariable failed3 -ErrorAction SilentlyContinue
        $failed3[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidName,*'
        $emu.RequestCount | Should -Be $before
    }

    It 'names a refused endpoint and where it came from: <Origin>' -ForEach @(
        @{ Origin = '-Endpoint'; Says = 'from -Endpoint' }
        @{ Origin = 'the session context'; Says = 'from the session context \(Connect-FcAccount\)' }
        @{ Origin = '-Context'; Says = 'from -Context' }
        @{ Origin = 'a piped object'; Says = 'from the connection the piped object came from' }
    ) {
        $splat = @{ MaxRetries = 0 }
        $piped = $null
        Disconnect-FcAccount
        switch ($Origin) {
            '-Endpoint' { $splat.Endpoint = $deadEndpoint; $splat.Credential = $emu.Credential }
            'the session context' { $null = Connect-FcAccount -Endpoint $deadEndpoint -Credential $emu.Credential }
            '-Context' { $splat.Context = Connect-FcAccount -Endpoint $deadEndpoint -Credential $emu.Credential; Disconnect-FcAccount }
            'a piped object' {
                $null = Connect-FcAccount -Endpoint $deadEndpoint -Credential $emu.Credential
                $null = Invoke-FcFunction echo 'x' -Endpoint $deadEndpoint -Credential $emu.Credential -MaxRetries 0 -ErrorAction SilentlyContinue
                $piped = [pscustomobject]@{ FunctionName = 'echo'; Context = (Get-FcContext) }
                Disconnect-FcAccount
            }
        }
        if ($piped) { $piped | Invoke-FcFunction @splat -ErrorVariable failed -ErrorAction SilentlyContinue }
        else { Invoke-FcFunction echo 'x' @splat -ErrorVariable failed -ErrorAction SilentlyContinue }
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
        $text = "$($failed[0])"
        $text | Should -Match "Nothing accepted the connection at $([regex]::Escape($deadEndpoint.AbsoluteUri)) \($Says\)"
        $text | Should -Match 'Get-FcEmulator shows whether it still runs'
        Disconnect-FcAccount
    }

    It 'refuses a bad endpoint in its own words, suggesting the address meant' -ForEach @(
        @{ Given = '127.0.0.1:9'; Suggests = 'http://127.0.0.1:9/' }
        @{ Given = 'http://'; Suggests = $null }
        @{ Given = 'ftp://files.example/'; Suggests = $null }
    ) {
        $failure = $null
        try { Invoke-FcFunction echo -Endpoint $Given -Credential $emu.Credential -ErrorAction Stop } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        "$failure" | Should -Match ([regex]::Escape("'$Given' is not an endpoint FcInvoke can call"))
        "$failure" | Should -Not -Match "Parameter 'uri'|Invalid URI|hostname could not be parsed"
        if ($Suggests) { "$failure" | Should -Match ([regex]::Escape("Did you mean $Suggests")) }
    }

    It 'warns about an unknown region that builds the endpoint, with the close ones, once, and never refuses it' {
        # The account endpoint a region builds is not on 127.0.0.1: the test run's loopback guard stops each call after the warning.
        Invoke-FcFunction echo -Region cn-hangzou -AccountId 42 -Credential $emu.Credential -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable guarded -ErrorAction SilentlyContinue
        $warned | Should -HaveCount 1
        "$warned" | Should -Match "'cn-hangzou' \(from -Region\) is not an FC region FcInvoke knows \(did you mean cn-hangzhou\?\); it is used as given"
        $guarded[0].FullyQualifiedErrorId | Should -BeLike 'FcLoopbackOnly,*' -Because 'the call went on to the endpoint the region built'
        $guarded[0].Exception.Message | Should -Match ([regex]::Escape('https://42.cn-hangzou.fc.aliyuncs.com'))
        Invoke-FcFunction echo -Region cn-hangzou -AccountId 42 -Credential $emu.Credential -WarningVariable again -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty -Because 'a region is warned about once per session'
        $env:ALIBABA_CLOUD_REGION_ID = 'ap-southeast-9'
        try { Invoke-FcFunction echo -AccountId 42 -Credential $emu.Credential -WarningVariable fromEnv -WarningAction SilentlyContinue -ErrorAction SilentlyContinue }
        finally { Remove-Item env:ALIBABA_CLOUD_REGION_ID }
        "$fromEnv" | Should -Match ([regex]::Escape("'ap-southeast-9' (from `$env:ALIBABA_CLOUD_REGION_ID)"))
        "$fromEnv" | Should -Match 'ap-southeast-1'
        # With an explicit endpoint (an emulator's) the region addresses nothing: no warning, and the call is made.
        (Invoke-FcFunction echo 'x' -Region cn-somewhere-new @conn -WarningVariable quiet -WarningAction SilentlyContinue).Result | Should -Be 'x'
        $quiet | Should -BeNullOrEmpty
    }

    It 'refuses -LogType Tail with -InvocationType Async, before sending' {
        $before = $emu.RequestCount
        Invoke-FcFunction echo 'x' -InvocationType Async -LogType Tail @conn -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be 'FcInvalidArgument,FcInvoke.Commands.InvokeFcFunctionCommand'
        "$($failed[0])" | Should -Match 'FC returns no log for an asynchronous one'
        Invoke-FcFunction echo 'x' -AsyncTaskId 'tail-async' -LogType Tail @conn -ErrorVariable failed2 -ErrorAction SilentlyContinue
        $failed2[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidArgument,*'
        $emu.RequestCount | Should -Be $before
    }
}
