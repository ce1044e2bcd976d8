# HTTP triggers on the emulator (issue 16, emulator half), over real HTTP with Invoke-WebRequest: URLs and discovery,
# the request a function sees and the answer it gives, each auth type with right and wrong credentials, async calls.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:rsaKey = [System.Security.Cryptography.RSA]::Create(2048)
    function ConvertTo-B64Url { param([byte[]] $Bytes) [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $p = $rsaKey.ExportParameters($false)
    $script:jwks = '{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","n":"' + (ConvertTo-B64Url $p.Modulus) + '","e":"' + (ConvertTo-B64Url $p.Exponent) + '"}]}'

    function New-Jwt {
        # A JWT signed HS256 with a shared secret, or RS256 with the test's RSA key (kid k1).
        param([hashtable] $Claims, [string] $Secret, [switch] $Rsa)
        $header = if ($Rsa) { '{"alg":"RS256","kid":"k1","typ":"JWT"}' } else { '{"alg":"HS256","typ":"JWT"}' }
        $input = (ConvertTo-B64Url ([Text.Encoding]::UTF8.GetBytes($header))) + '.' + (ConvertTo-B64Url ([Text.Encoding]::UTF8.GetBytes(($Claims | ConvertTo-Json -Compress))))
        $bytes = [Text.Encoding]::ASCII.GetBytes($input)
        $signature = if ($Rsa) { $rsaKey.SignData($bytes, [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1) }
                     else { [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Secret)).ComputeHash($bytes) }
        "$input.$(ConvertTo-B64Url $signature)"
    }

    function Invoke-Trigger {
        # Invoke-WebRequest that returns any status as a response (no exception for 4xx/5xx).
        param([string] $Uri, [string] $Method = 'GET', [hashtable] $Headers = @{}, $Body)
        $request = @{ Uri = $Uri; Method = $Method; Headers = $Headers; SkipHttpErrorCheck = $true; SkipHeaderValidation = $true; NoProxy = $true }
        if ($null -ne $Body) { $request.Body = $Body }
        Invoke-WebRequest @request
    }

    function Get-ErrorCode { param($Response) ($Response.Content | ConvertFrom-Json).Code }

    $script:emu = Start-FcEmulator -Function @{
        'web'       = { param($Event, $Context) @{ StatusCode = 201; Headers = @{ 'X-Custom' = 'yes'; 'Content-Type' = 'application/json' }; Body = [ordered]@{
                          method = $Event.Method; path = $Event.Path; rawPath = $Event.RawPath; q = $Event.Query.q; tags = $Event.Query.tag; demo = $Event.Headers['X-Demo']
                          body = $Event.Body; intranet = $Event.Intranet; version = $Context.Version; trigger = $Context.TriggerName } } }
        'plain'     = { param($Event) "hello $($Event.Path)" }
        'signed'    = { param($Event) "signed ok" }
        'jwt'       = { param($Event) "hi $($Event.JwtClaims.sub)" }
        'rsa'       = { param($Event) 'rsa ok' }
        'boom'      = { param($Event) throw 'kaput' }
        'badheader' = { param($Event) @{ StatusCode = 200; Headers = @{ 'x-fc-request-id' = 'mine' }; Body = 'x' } }
        'bytes'     = { param($Event) @{ StatusCode = 200; IsBase64Encoded = $true; Body = [Convert]::ToBase64String([byte[]](1, 2, 3)) } }
        'later'     = { param($Event) "done $($Event.Body)" }
        'svc/old'   = { param($Event) 'fc2' }
    } -Alias @{ web = @{ prod = 3 } } -HttpTrigger @{
        'web'       = @{ AuthType = 'anonymous'; Qualifier = 'prod' }
        'plain'     = @{ AuthType = 'anonymous'; Methods = 'GET' }
        'signed'    = 'function'
        'jwt'       = @{ JwtSecret = 's3cret' }
        'rsa'       = @{ AuthType = 'jwt'; Jwks = $jwks }
        'boom'      = 'anonymous'
        'badheader' = 'anonymous'
        'bytes'     = 'anonymous'
        'later'     = 'anonymous'
        'svc/old'   = 'anonymous'
    }
    $script:urls = $emu.HttpTriggerUrls
}

AfterAll { $emu | Stop-FcEmulator; $rsaKey.Dispose() }

Describe 'Trigger URLs and discovery' {
    It 'gives each declared function a URL on 127.0.0.1 under a prefix no API path uses' {
        $urls.Keys | Sort-Object | Should -Be @('badheader', 'boom', 'bytes', 'jwt', 'later', 'plain', 'rsa', 'signed', 'svc/old', 'web')
        $urls['web'].AbsoluteUri | Should -Match "^http://127\.0\.0\.1:$($emu.Port)/http-trigger/web-[0-9a-f]{8}$"
        $urls['svc/old'].AbsoluteUri | Should -Match '/http-trigger/svc-old-[0-9a-f]{8}$'
    }

    It 'lists the trigger with both URLs and its config (FC 3.0: under httpTrigger)' {
        $list = (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/web/triggers').Json.triggers
        $list | Should -HaveCount 1
        $list[0].triggerName | Should -Be 'httpTrigger'
        $list[0].triggerType | Should -Be 'http'
        $list[0].qualifier | Should -Be 'prod'
        $list[0].httpTrigger.urlInternet | Should -Be $urls['web'].AbsoluteUri
        $list[0].httpTrigger.urlIntranet | Should -Be ($urls['web'].AbsoluteUri + '-vpc')
        $config = $list[0].triggerConfig | ConvertFrom-Json
        $config.authType | Should -Be 'anonymous'
        $config.methods | Should -Contain 'PATCH'
        $one = (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/web/triggers/httpTrigger').Json
        $one.httpTrigger.urlInternet | Should -Be $urls['web'].AbsoluteUri
        $one.targetArn | Should -Be "acs:fc:$($emu.Region):$($emu.AccountId):functions/web"
    }

    It 'lists FC 2.0 triggers with the URLs at the top level' {
        $t = (Send-FcTestSignedRequest $emu -Method GET -Path '/2021-04-06/services/svc/functions/old/triggers').Json.triggers[0]
        $t.urlInternet | Should -Be $urls['svc/old'].AbsoluteUri
        $t.urlIntranet | Should -Be ($urls['svc/old'].AbsoluteUri + '-vpc')
        $t.PSObject.Properties['httpTrigger'] | Should -BeNullOrEmpty
    }

    It 'publishes a JWT trigger''s auth type without its secret' {
        $config = (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/jwt/triggers/httpTrigger').Json.triggerConfig
        ($config | ConvertFrom-Json).authType | Should -Be 'jwt'
        $config | Should -Not -Match 's3cret|czNjcmV0'
        ((Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/rsa/triggers/httpTrigger').Json.triggerConfig | ConvertFrom-Json).authConfig | Should -Match '"n":'
    }
}

Describe 'What a function sees and answers' {
    It 'passes method, path under the base, query, headers and body; maps StatusCode, Headers and Body' {
        $r = Invoke-Trigger "$($urls['web'])/api/items?q=1&tag=a&tag=b" -Method POST -Headers @{ 'X-Demo' = 'd' } -Body 'payload'
        $r.StatusCode | Should -Be 201
        $r.Headers['X-Custom'] | Should -Be 'yes'
        $r.Headers['Content-Disposition'] | Should -Be 'attachment'
        $r.Headers['x-fc-request-id'] | Should -Match '^1-'
        $seen = $r.Content | ConvertFrom-Json
        $seen.method | Should -Be 'POST'
        $seen.path | Should -Be '/api/items'
        $seen.q | Should -Be '1'
        $seen.tags | Should -Be 'a,b'
        $seen.demo | Should -Be 'd'
        $seen.body | Should -Be 'payload'
        $seen.intranet | Should -BeFalse
        $seen.version | Should -Be '3' -Because 'the trigger''s qualifier prod points at version 3'
        $seen.trigger | Should -Be 'httpTrigger'
    }

    It 'serves the intranet URL too, and says which one was used' {
        $seen = (Invoke-Trigger "$($urls['web'])-vpc/x%20y").Content | ConvertFrom-Json
        $seen.intranet | Should -BeTrue
        $seen.path | Should -Be '/x y'
        $seen.rawPath | Should -Be '/x%20y'
    }

    It 'answers a plain value as a 200 (the base URL itself is the path /)' {
        $r = Invoke-Trigger $urls['plain']
        $r.StatusCode | Should -Be 200
        $r.Content | Should -Be 'hello /'
        $r.Headers['Content-Type'] | Should -Match '^text/plain'
    }

    It 'answers a base64 body as bytes' {
        $r = Invoke-Trigger $urls['bytes']
        $r.RawContentStream.ToArray() | Should -Be @(1, 2, 3)
    }

    It 'answers a failed function with 502 and X-Fc-Error-Type, and an impossible answer with 502 BadResponse' {
        $r = Invoke-Trigger $urls['boom']
        $r.StatusCode | Should -Be 502
        $r.Headers['X-Fc-Error-Type'] | Should -Be 'UnhandledInvocationError'
        ($r.Content | ConvertFrom-Json).errorMessage | Should -Be 'kaput'
        $bad = Invoke-Trigger $urls['badheader']
        $bad.StatusCode | Should -Be 502
        Get-ErrorCode $bad | Should -Be 'BadResponse'
        $emu.ExecutionCounts['badheader'] | Should -Be 1
    }

    It 'refuses a method the trigger does not take (405) and an unknown trigger (404 DomainNameNotFound)' {
        $r = Invoke-Trigger $urls['plain'] -Method POST -Body 'x'
        $r.StatusCode | Should -Be 405
        Get-ErrorCode $r | Should -Be 'MethodNotAllowed'
        $missing = Invoke-Trigger "http://127.0.0.1:$($emu.Port)/http-trigger/nobody-00000000/"
        $missing.StatusCode | Should -Be 404
        Get-ErrorCode $missing | Should -Be 'DomainNameNotFound'
    }

    It 'refuses a path and query over 4 KB, and headers over 8 KB (400 InvalidArgument)' {
        $r = Invoke-Trigger "$($urls['plain'])?q=$('a' * 4100)"
        $r.StatusCode | Should -Be 400
        Get-ErrorCode $r | Should -Be 'InvalidArgument'
        $big = Invoke-Trigger $urls['plain'] -Headers @{ 'X-Big' = 'b' * 8200 }
        $big.StatusCode | Should -Be 400
        ($big.Content | ConvertFrom-Json).Message | Should -Match '8 KB'
    }
}

Describe 'Signature authentication (auth type function)' {
    BeforeAll {
        $script:secret = Get-FcTestSecret $emu
        Add-FcTestEmulatorKey $emu -AccessKeyId 'STS.trigger' -AccessKeySecret 'sts-trigger-secret' -SecurityToken 'sts-trigger-token'
    }

    It 'runs a request signed as FC''s samples sign it, with the emulator''s key' {
        $url = "$($urls['signed'])/run?b=2&a=1"
        $r = Invoke-Trigger $url -Method POST -Headers (New-FcTestTriggerHeaders -Method POST -Url $url -AccessKeyId $emu.AccessKeyId -AccessKeySecret $secret) -Body 'x'
        $r.StatusCode | Should -Be 200
        $r.Content | Should -Be 'signed ok'
    }

    It 'runs an STS-signed request with its token, and refuses it without' {
        $url = $urls['signed'].AbsoluteUri
        $with = New-FcTestTriggerHeaders -Method GET -Url $url -AccessKeyId 'STS.trigger' -AccessKeySecret 'sts-trigger-secret' -SecurityToken 'sts-trigger-token'
        (Invoke-Trigger $url -Headers $with).StatusCode | Should -Be 200
        $without = New-FcTestTriggerHeaders -Method GET -Url $url -AccessKeyId 'STS.trigger' -AccessKeySecret 'sts-trigger-secret'
        $r = Invoke-Trigger $url -Headers $without
        $r.StatusCode | Should -Be 403
        Get-ErrorCode $r | Should -Be 'InvalidAccessKeyID'
    }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'an unsigned request (400 MissingRequiredHeader)'; Status = 400; Code = 'MissingRequiredHeader'; Make = { @{} } }
        @{ Case = 'a wrong secret (403 SignatureNotMatch)'; Status = 403; Code = 'SignatureNotMatch'; Make = { New-FcTestTriggerHeaders -Method GET -Url $urls['signed'] -AccessKeyId $emu.AccessKeyId -AccessKeySecret 'guess' } }
        @{ Case = 'a signature for another path (403 SignatureNotMatch)'; Status = 403; Code = 'SignatureNotMatch'; Make = { New-FcTestTriggerHeaders -Method GET -Url "$($urls['signed'])/other" -AccessKeyId $emu.AccessKeyId -AccessKeySecret $secret } }
        @{ Case = 'an unknown key (403 InvalidAccessKeyID)'; Status = 403; Code = 'InvalidAccessKeyID'; Make = { New-FcTestTriggerHeaders -Method GET -Url $urls['signed'] -AccessKeyId 'LTAInobody' -AccessKeySecret $secret } }
        @{ Case = 'a stale date (403 InvalidTimeStamp)'; Status = 403; Code = 'InvalidTimeStamp'; Make = { New-FcTestTriggerHeaders -Method GET -Url $urls['signed'] -AccessKeyId $emu.AccessKeyId -AccessKeySecret $secret -Date ([DateTimeOffset]::UtcNow.AddMinutes(-20)) } }
    ) {
        Reset-FcTestEmulator $emu
        $r = Invoke-Trigger $urls['signed'] -Headers (& $Make)
        $r.StatusCode | Should -Be $Status
        Get-ErrorCode $r | Should -Be $Code
        $r.Content | Should -Not -Match ([regex]::Escape($secret))
        $emu.ExecutionCounts['signed'] | Should -Be 0
    }
}

Describe 'JWT authentication' {
    It 'runs a request with a valid HS256 token and hands the claims to the function' {
        $token = New-Jwt @{ sub = 'ada'; exp = [DateTimeOffset]::UtcNow.AddMinutes(5).ToUnixTimeSeconds() } -Secret 's3cret'
        $r = Invoke-Trigger $urls['jwt'] -Headers @{ Authorization = "Bearer $token" }
        $r.StatusCode | Should -Be 200
        $r.Content | Should -Be 'hi ada'
        ($emu.RecentRequests | Where-Object Path -like '/http-trigger/jwt-*' | Select-Object -Last 1).Headers['authorization'] | Should -Be '<redacted>'
    }

    It 'runs a request with an RS256 token verified against the JWKS' {
        $r = Invoke-Trigger $urls['rsa'] -Headers @{ Authorization = "Bearer $(New-Jwt @{ sub = 'x' } -Rsa)" }
        $r.StatusCode | Should -Be 200
        $r.Content | Should -Be 'rsa ok'
    }

    It 'refuses <Case> with 401 InvalidToken' -ForEach @(
        @{ Case = 'no token'; Headers = { @{} } }
        @{ Case = 'a token signed with another secret'; Headers = { @{ Authorization = "Bearer $(New-Jwt @{ sub = 'eve' } -Secret 'guess')" } } }
        @{ Case = 'an expired token'; Headers = { @{ Authorization = "Bearer $(New-Jwt @{ sub = 'ada'; exp = [DateTimeOffset]::UtcNow.AddMinutes(-1).ToUnixTimeSeconds() } -Secret 's3cret')" } } }
        @{ Case = 'a token not valid yet'; Headers = { @{ Authorization = "Bearer $(New-Jwt @{ sub = 'ada'; nbf = [DateTimeOffset]::UtcNow.AddMinutes(5).ToUnixTimeSeconds() } -Secret 's3cret')" } } }
        @{ Case = 'a basic credential'; Headers = { @{ Authorization = 'Basic YTpi' } } }
    ) {
        Reset-FcTestEmulator $emu
        $r = Invoke-Trigger $urls['jwt'] -Headers (& $Headers)
        $r.StatusCode | Should -Be 401
        Get-ErrorCode $r | Should -Be 'InvalidToken'
        $emu.ExecutionCounts['jwt'] | Should -Be 0
    }
}

Describe 'Async calls through a trigger' {
    It 'answers 202 with X-Fc-Request-Id and the task id it was given, and runs the task' {
        $r = Invoke-Trigger $urls['later'] -Method POST -Headers @{ 'X-Fc-Invocation-Type' = 'Async'; 'X-Fc-Async-Task-Id' = 'via-trigger-1' } -Body 'job'
        $r.StatusCode | Should -Be 202
        $r.Headers['X-Fc-Async-Task-Id'] | Should -Be 'via-trigger-1'
        $r.Headers['X-Fc-Request-Id'] | Should -Match '^1-'
        $conn = Get-FcTestConnection $emu
        $task = Wait-FcAsyncTask later -TaskId 'via-trigger-1' @conn -ErrorAction Stop
        $task.Status | Should -Be 'Succeeded'
        $task.ReturnPayload | Should -Be 'done job'
        $task.Payload | Should -Be 'job' -Because 'the task keeps the request body as its payload'
    }

    It 'refuses the same task id twice (409) and a bad one (400)' {
        $again = Invoke-Trigger $urls['later'] -Method POST -Headers @{ 'X-Fc-Invocation-Type' = 'Async'; 'X-Fc-Async-Task-Id' = 'via-trigger-1' } -Body 'job'
        $again.StatusCode | Should -Be 409
        $bad = Invoke-Trigger $urls['later'] -Method POST -Headers @{ 'X-Fc-Invocation-Type' = 'Async'; 'X-Fc-Async-Task-Id' = '9bad' } -Body 'job'
        $bad.StatusCode | Should -Be 400
        Get-ErrorCode $bad | Should -Be 'InvalidArgument'
    }
}

Describe 'Declaring triggers' {
    It 'refuses <Case> with FcEmulatorInvalidHttpTrigger' -ForEach @(
        @{ Case = 'a trigger for no function'; Trigger = @{ ghost = 'anonymous' } }
        @{ Case = 'an unknown auth type'; Trigger = @{ f = 'basic' } }
        @{ Case = 'jwt without a key'; Trigger = @{ f = 'jwt' } }
        @{ Case = 'a secret on an anonymous trigger'; Trigger = @{ f = @{ AuthType = 'anonymous'; JwtSecret = 'x' } } }
        @{ Case = 'a method FC does not take'; Trigger = @{ f = @{ AuthType = 'anonymous'; Methods = 'TRACE' } } }
        @{ Case = 'an undeclared alias as qualifier'; Trigger = @{ g = @{ AuthType = 'anonymous'; Qualifier = 'beta' } } }
        @{ Case = 'an unknown setting'; Trigger = @{ f = @{ Auth = 'anonymous' } } }
        @{ Case = 'a JWKS that is not JSON'; Trigger = @{ f = @{ Jwks = 'nope' } } }
    ) {
        { Start-FcEmulator -Function @{ f = { }; g = { } } -Alias @{ g = 'prod' } -HttpTrigger $Trigger } |
            Should -Throw -ErrorId 'FcEmulatorInvalidHttpTrigger,FcInvoke.Commands.StartFcEmulatorCommand'
    }

    It 'keeps the JwtSecret out of the error when the declaration is refused' {
        $err = try { Start-FcEmulator -Function @{ f = { } } -HttpTrigger @{ f = @{ AuthType = 'anonymous'; JwtSecret = 'do-not-show' } } } catch { $_ }
        $err.Exception.Message | Should -Not -Match 'do-not-show'
    }
}
