# Invoke-FcFunction's request options and fidelity to FC: names with '$', the async payload limit, -AsyncDelaySec,
# -Header and the response headers, -WhatIf that never reaches the network, -SecurityToken as text.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/CredentialFixtures.ps1
    $script:emu = Start-FcEmulator -Function @{
        'orders$process' = { param($Event) "processed $Event" }   # FC 3.0 name of a function upgraded from FC 2.0
        'echo'           = { param($Event) $Event }
        'svc/echo'       = { param($Event) $Event }
    }
    $script:conn = Get-FcTestConnection $emu
    $script:sts = Start-FcTestHttpFixture -Handler $StsHandler -State @{ Emulator = $emu; AccountId = '1357924680' }
    function Get-LastRequest { @($emu.RecentRequests)[-1] }
}

AfterAll {
    $sts | Stop-FcTestHttpFixture
    $emu | Stop-FcEmulator
    Remove-Item env:ALIBABA_CLOUD_STS_ENDPOINT -ErrorAction SilentlyContinue
}

Describe 'Function names FC 3.0 accepts' {
    It 'invokes, lists tasks of and waits for a function named service$function, path encoded as the official SDK does' {
        (Invoke-FcFunction 'orders$process' 'o-1' @conn).Result | Should -Be 'processed o-1'
        $request = Get-LastRequest
        $request.Headers['x-acs-action'] | Should -Be 'InvokeFunction'
        $request.Path | Should -Be '/2023-03-30/functions/orders$process/invocations'
        $task = Invoke-FcFunction 'orders$process' 'o-2' @conn -AsyncTaskId 'dollar-1'
        ($task | Wait-FcAsyncTask @conn -TimeoutSec 60).Status | Should -Be 'Succeeded'
        (Get-FcAsyncTask 'orders$process' @conn).TaskId | Should -Contain 'dollar-1'
    }

    It 'still refuses a $ where FC never accepts one, before sending' {
        $before = $emu.RequestCount
        Invoke-FcFunction 'orders$' 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
        Invoke-FcFunction 'echo$x' 'x' -ServiceName svc @conn -ErrorVariable +err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 2
        $err.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'FcInvalidName,*' }
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'Payload limits' {
    It 'sends an asynchronous payload between FC''s default and raised limits, and reports FC''s refusal as FcPayloadTooLarge' {
        $payload = 'x' * 200KB   # over the default 128 KB, within the 256 KB an account may be granted
        $before = $emu.RequestCount
        Invoke-FcFunction echo $payload @conn -InvocationType Async -ErrorVariable err -ErrorAction SilentlyContinue
        $emu.RequestCount | Should -Be ($before + 1) -Because 'the local check never refuses what FC could accept'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FcPayloadTooLarge,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err[0].Exception.ErrorCode | Should -Be 'EntityTooLarge'
        $err[0].Exception.Message | Should -Match '204,800-byte payload of this asynchronous invocation'
        $err[0].Exception.Message | Should -Match '128 KB for an asynchronous one \(256 KB where the account''s limit was raised\)'
    }

    It 'refuses locally, sending nothing, what no FC account accepts' {
        $before = $emu.RequestCount
        Invoke-FcFunction echo ('x' * (256KB + 1)) @conn -InvocationType Async -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'FcPayloadTooLarge,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err[0].Exception.Message | Should -Match '262,145 bytes'
        $emu.RequestCount | Should -Be $before
    }
}

Describe '-AsyncDelaySec' {
    It 'asks FC to delay an asynchronous invocation' {
        $null = Invoke-FcFunction echo 'later' @conn -InvocationType Async -AsyncDelaySec 90
        (Get-LastRequest).Headers['x-fc-async-delay'] | Should -Be '90'
        $null = Invoke-FcFunction echo 'now' @conn -InvocationType Async
        (Get-LastRequest).Headers.ContainsKey('x-fc-async-delay') | Should -BeFalse
    }

    It 'is refused before sending for a synchronous invocation, and outside 0 to 3600' {
        $before = $emu.RequestCount
        Invoke-FcFunction echo 'x' @conn -AsyncDelaySec 5 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'FcInvalidArgument,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err[0].Exception.Message | Should -Match 'asynchronous invocations only'
        { Invoke-FcFunction echo 'x' @conn -InvocationType Async -AsyncDelaySec 3601 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'Custom request headers and the response headers' {
    It 'sends -Header headers and returns every response header, read-only and case-insensitive' {
        $r = Invoke-FcFunction echo 'affinity' @conn -Header @{ 'x-affinity-header-v1' = 'session-42'; 'X-Tenant' = 'blue', 'green' }
        $request = Get-LastRequest
        $request.Headers['x-affinity-header-v1'] | Should -Be 'session-42'
        $request.Headers['x-tenant'] | Should -Be 'blue, green'
        $r.Headers['X-FC-REQUEST-ID'] | Should -Be $r.RequestId
        $r.Headers['x-fc-request-id'] | Should -Be $r.RequestId
        $r.Headers['Content-Type'] | Should -Not -BeNullOrEmpty
        { $r.Headers.Add('x', 'y') } | Should -Throw
    }

    It 'refuses, before sending, headers that belong to the signature, to HTTP or to a parameter, naming what to use' -TestCases @(
        @{ Name = 'x-acs-date'; Says = 'signature' }
        @{ Name = 'Authorization'; Says = 'set by HTTP or by the signature' }
        @{ Name = 'Host'; Says = 'set by HTTP or by the signature' }
        @{ Name = 'Content-Type'; Says = '-Payload or -InputFile' }
        @{ Name = 'X-Fc-Invocation-Type'; Says = 'use -InvocationType' }
        @{ Name = 'x-fc-log-type'; Says = 'use -LogType' }
        @{ Name = 'x-fc-async-task-id'; Says = 'use -AsyncTaskId' }
        @{ Name = 'bad name'; Says = 'not a valid HTTP header name' }
    ) {
        param($Name, $Says)
        $before = $emu.RequestCount
        Invoke-FcFunction echo 'x' @conn -Header @{ $Name = 'v' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FcInvalidArgument,FcInvoke.Commands.InvokeFcFunctionCommand'
        $err[0].Exception.Message | Should -Match ([regex]::Escape($Says))
        $emu.RequestCount | Should -Be $before
    }
}

Describe '-WhatIf never reaches the network' {
    BeforeEach { $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url; $sts.Requests.Clear() }

    It 'shows a placeholder for an account id it would look up, instead of asking STS' {
        $text = Get-FcTestHostOutput { Invoke-FcFunction echo 'x' -Credential $emu.Credential -Region cn-hangzhou -WhatIf }
        @($sts.Requests).Count | Should -Be 0
        $text | Should -Match ([regex]::Escape('<account id: looked up with STS GetCallerIdentity when sent>'))
        $text | Should -Match 'cn-hangzhou\.fc\.aliyuncs\.com/2023-03-30/functions/echo/invocations'
        $text | Should -Match 'Signature=<redacted>'
    }

    It 'shows where a temporary credential would come from, instead of fetching it' {
        # A profile whose role has never been assumed: its credential would come from STS AssumeRole.
        $profileDir = Join-Path $FcTestHome '.aliyun'
        $null = New-Item -ItemType Directory -Force $profileDir
        @{ current = 'role'; profiles = @(@{ name = 'role'; mode = 'RamRoleArn'; access_key_id = 'LTAIsource'; access_key_secret = 'source-secret-value'; ram_role_arn = 'acs:ram::1357924680:role/fresh' }) } |
            ConvertTo-Json -Depth 4 | Set-Content (Join-Path $profileDir 'config.json')
        try {
            $text = Get-FcTestHostOutput { Invoke-FcFunction echo 'x' -ProfileName role -Endpoint $emu.Endpoint -WhatIf }
        }
        finally { Remove-Item (Join-Path $profileDir 'config.json') }
        @($sts.Requests).Count | Should -Be 0
        $text | Should -Match 'AccessKey ID from .*role.*, fetched when sent'
        $text.Contains('source-secret-value') | Should -BeFalse
    }
}

Describe '-SecurityToken as text' {
    It 'takes the token as a string or a SecureString, and keeps it secret' {
        $id = 'STS.text' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $secret = 'sts-secret-' + [guid]::NewGuid()
        $token = 'sts-token-as-text-' + [guid]::NewGuid()
        Add-FcTestEmulatorKey $emu $id $secret $token
        $credential = [pscredential]::new($id, (ConvertTo-SecureString $secret -AsPlainText -Force))
        $text = Get-FcTestHostOutput {
            (Invoke-FcFunction echo 'plain' -Endpoint $emu.Endpoint -Credential $credential -SecurityToken $token -Verbose -Debug).Result
            (Invoke-FcFunction echo 'secure' -Endpoint $emu.Endpoint -Credential $credential -SecurityToken (ConvertTo-SecureString $token -AsPlainText -Force)).Result
            Invoke-FcFunction echo 'whatif' -Endpoint $emu.Endpoint -Credential $credential -SecurityToken $token -WhatIf
        }
        $text | Should -Match 'plain'
        $text | Should -Match 'secure'
        $text | Should -Match 'x-acs-security-token: <redacted>'
        $text.Contains($token) | Should -BeFalse
        $text.Contains($secret) | Should -BeFalse
        { Invoke-FcFunction echo 'x' -Endpoint $emu.Endpoint -Credential $credential -SecurityToken @{ token = 1 } -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*Give the secret as a string or a SecureString*'
    }
}
