# Invoke-FcHttpTrigger (issue 16, client half) against the emulator's HTTP triggers: every parameter, each auth type with
# right and wrong credentials (an STS one too), discovery with -FunctionName, errors, retries, fan-out, Ctrl+C, -WhatIf,
# pipeline binding, and secrets that never show. Order and concurrency are forced with latches and barriers shared with
# the emulated functions through the AppDomain (Set-FcTestShared), never with pauses.
# Long on purpose: one emulator with every kind of trigger, started once, serves all the cases.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    function ConvertTo-B64Url { param([byte[]] $Bytes) [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    function New-Jwt {
        # An HS256 JWT signed with a shared secret (the module does not mint tokens; a test must).
        param([hashtable] $Claims, [string] $Secret)
        $head = ConvertTo-B64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"HS256","typ":"JWT"}'))
        $body = ConvertTo-B64Url ([Text.Encoding]::UTF8.GetBytes(($Claims | ConvertTo-Json -Compress)))
        $mac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Secret))
        "$head.$body.$(ConvertTo-B64Url $mac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$head.$body")))"
    }

    $script:emu = Start-FcEmulator -MaxConcurrency 32 -Function @{
        # Answers what it saw, as JSON.
        'echo'     = { param($Event, $Context) @{ StatusCode = 200; Headers = @{ 'Content-Type' = 'application/json' }; Body = [ordered]@{
                        method = $Event.Method; path = $Event.Path; rawPath = $Event.RawPath; query = $Event.QueryString; q = $Event.Query
                        demo = $Event.Headers['X-Demo']; contentType = $Event.Headers['Content-Type']; body = $Event.Body; length = $Event.BodyBytes.Length
                        intranet = $Event.Intranet; version = $Context.Version; sub = $Event.JwtClaims.sub; async = $Event.Headers['X-Fc-Invocation-Type'] } } }
        'signed'   = { param($Event) "signed $($Event.Path)" }
        'jwt'      = { param($Event) "hello $($Event.JwtClaims.sub)" }
        'getonly'  = { param($Event) 'got' }
        'missing'  = { param($Event) @{ StatusCode = 404; Headers = @{ 'Content-Type' = 'application/json' }; Body = @{ error = 'no such order'; id = $Event.Path } } }
        'busy'     = { param($Event) @{ StatusCode = 503; Body = 'busy, try later' } }
        'boom'     = { param($Event) throw 'kaput' }
        'later'    = { param($Event) "done $($Event.Body)" }
        'latin'    = { param($Event) @{ StatusCode = 200; Headers = @{ 'Content-Type' = 'text/plain; charset=iso-8859-1' }; IsBase64Encoded = $true; Body = [Convert]::ToBase64String([byte[]](0x63, 0x61, 0x66, 0xE9)) } }
        'svc/old'  = { param($Event) "fc2 $($Event.Path)" }
        'timer'    = { param($Event) 'no trigger' }
        # Waits at the shared barrier until as many calls as it has participants are in flight together.
        'barrier'  = { param($Event) $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestHttp'); if ($s.Barrier.SignalAndWait(30000)) { "$($Event.Body)" } else { "$($Event.Body)-timeout" } }
        # Input 'a' waits for the Release latch; the others answer at once.
        'latched'  = { param($Event) if ($Event.Body -ne 'a') { return $Event.Body }; $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestHttp'); if ($s.Release.Wait(30000)) { 'a' } else { 'a-timeout' } }
        # Holds every call until the Release latch (or 60 s), for time limits.
        'hold'     = { param($Event) $s = [AppDomain]::CurrentDomain.GetData('FcInvokeTestHttp'); $null = $s.Release.Wait(60000); 'released' }
    } -Alias @{ echo = @{ prod = 2 } } -HttpTrigger @{
        'echo'    = 'anonymous'
        'signed'  = 'function'
        'jwt'     = @{ AuthType = 'jwt'; JwtSecret = 'jwt-secret-that-must-not-leak' }
        'getonly' = @{ AuthType = 'anonymous'; Methods = 'GET' }
        'missing' = 'anonymous'
        'busy'    = 'anonymous'
        'boom'    = 'anonymous'
        'later'   = 'anonymous'
        'latin'   = 'anonymous'
        'svc/old' = 'function'
        'barrier' = 'anonymous'
        'latched' = 'anonymous'
        'hold'    = 'anonymous'
    }
    $script:conn = Get-FcTestConnection $emu
    $script:urls = $emu.HttpTriggerUrls
    $script:secret = Get-FcTestSecret $emu
    $script:stsToken = 'sts-token-that-must-not-leak-' + [guid]::NewGuid()
    Add-FcTestEmulatorKey $emu -AccessKeyId 'STS.trigger-key' -AccessKeySecret 'sts-secret-that-must-not-leak' -SecurityToken $stsToken
    $script:stsCred = [pscredential]::new('STS.trigger-key', (ConvertTo-SecureString 'sts-secret-that-must-not-leak' -AsPlainText -Force))
    $script:goodJwt = New-Jwt @{ sub = 'ada'; exp = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds() } -Secret 'jwt-secret-that-must-not-leak'

    function Get-Requests { param([string] $Like) @($emu.RecentRequests | Where-Object Path -like $Like) }
}

AfterAll {
    $emu | Stop-FcEmulator
    $null = Set-FcTestShared 'FcInvokeTestHttp' $null
}

Describe 'Invoke-FcHttpTrigger: the module exports it' {
    It 'is in the manifest''s CmdletsToExport and exported' {
        (Import-PowerShellDataFile $FcTestModulePath).CmdletsToExport | Should -Contain 'Invoke-FcHttpTrigger'
        (Get-Command Invoke-FcHttpTrigger).ModuleName | Should -Be 'FcInvoke'
    }
}

Describe 'Invoke-FcHttpTrigger -Uri: what is sent' {
    BeforeEach { Disconnect-FcAccount }

    It 'calls an anonymous trigger with no credentials configured at all, and returns a typed answer' {
        $r = Invoke-FcHttpTrigger -Uri $urls['echo']
        $r | Should -BeOfType ([FcInvoke.FcHttpResponse])
        $r.StatusCode | Should -Be 200
        $r.ReasonPhrase | Should -Be 'OK'
        $r.Method | Should -Be 'GET'
        $r.Authentication | Should -Be 'Anonymous'
        $r.InvocationType | Should -Be 'Sync'
        $r.ContentType | Should -Be 'application/json'
        $r.ContentObject.method | Should -Be 'GET'
        $r.ContentObject.path | Should -Be '/'
        $r.Content | Should -Be ([Text.Encoding]::UTF8.GetString($r.RawContent))
        "$r" | Should -Be $r.Content
        $r.RequestId | Should -Match '^1-'
        $r.Headers['X-FC-REQUEST-ID'] | Should -Be $r.RequestId -Because 'headers are case-insensitive'
        $r.Headers['content-disposition'] | Should -Be 'attachment'
        { $r.Headers.Add('x', 'y') } | Should -Throw
        $r.Uri.AbsoluteUri | Should -Be $urls['echo'].AbsoluteUri
        $r.InputObject | Should -Be $urls['echo']
        $r.Context | Should -BeNullOrEmpty -Because 'an anonymous call to a URL uses no connection'
        $r.Attempts | Should -Be 1
        $r.Elapsed | Should -BeOfType ([TimeSpan])
        $r.Function | Should -BeNullOrEmpty
    }

    It 'takes a URL as the first positional value too' {
        (Invoke-FcHttpTrigger $urls['echo'].AbsoluteUri /p).ContentObject.path | Should -Be '/p'
    }

    It 'sends -Path as text (percent-encoded), -Query (arrays repeat the name, empty values kept) and -Header' {
        $r = Invoke-FcHttpTrigger -Uri "$($urls['echo'])?from=url" -Path '/orders/a b/$1+2' -Query ([ordered]@{ q = 'x y&z'; tag = 'a', 'b'; empty = '' }) -Header @{ 'X-Demo' = 'd1', 'd2' }
        $seen = $r.ContentObject
        $seen.path | Should -Be '/orders/a b/$1+2'
        $seen.rawPath | Should -Be '/orders/a%20b/%241%2B2'
        $seen.query | Should -Be 'from=url&q=x%20y%26z&tag=a&tag=b&empty='
        $seen.q.q | Should -Be 'x y&z'
        $seen.q.tag | Should -Be 'a,b'
        $seen.demo | Should -Be 'd1, d2'
        $r.Uri.AbsoluteUri | Should -BeLike '*/orders/a%20b/%241%2B2?from=url&q=x%20y%26z&tag=a&tag=b&empty='
    }

    It 'sends a string as UTF-8 text, bytes as they are, data as JSON, with POST by default and the matching content type' {
        $text = Invoke-FcHttpTrigger -Uri $urls['echo'] -Body 'grüße'
        $text.Method | Should -Be 'POST'
        $text.ContentObject.body | Should -Be 'grüße'
        $text.ContentObject.contentType | Should -Be 'text/plain; charset=utf-8'
        $bytes = Invoke-FcHttpTrigger -Uri $urls['echo'] -Body ([byte[]](1, 2, 3, 250))
        $bytes.ContentObject.length | Should -Be 4
        $bytes.ContentObject.contentType | Should -Be 'application/octet-stream'
        $data = Invoke-FcHttpTrigger -Uri $urls['echo'] -Body @{ orderId = 42; items = @(@{ sku = 'a' }) } -Method PUT
        $data.Method | Should -Be 'PUT'
        ($data.ContentObject.body | ConvertFrom-Json).items[0].sku | Should -Be 'a'
        $data.ContentObject.contentType | Should -Be 'application/json'
        (Invoke-FcHttpTrigger -Uri $urls['echo'] -Body 'a,b' -ContentType 'text/csv').ContentObject.contentType | Should -Be 'text/csv'
        (Invoke-FcHttpTrigger -Uri $urls['echo'] -Body '' -Method PATCH).ContentObject.length | Should -Be 0
    }

    It 'sends a file''s bytes with -InputFile' {
        $file = Join-Path $TestDrive 'body.bin'
        [IO.File]::WriteAllBytes($file, [byte[]](0..255))
        $r = Invoke-FcHttpTrigger -Uri $urls['echo'] -InputFile $file
        $r.Method | Should -Be 'POST'
        $r.ContentObject.length | Should -Be 256
        $r.ContentObject.contentType | Should -Be 'application/octet-stream'
        $r.InputObject | Should -Be $file
    }

    It 'sends HEAD and OPTIONS, and reads a HEAD answer without a body' {
        $head = Invoke-FcHttpTrigger -Uri $urls['echo'] -Method HEAD
        $head.StatusCode | Should -Be 200
        $head.RawContent | Should -HaveCount 0
        (Invoke-FcHttpTrigger -Uri $urls['echo'] -Method Options).ContentObject.method | Should -Be 'OPTIONS'
        (Invoke-FcHttpTrigger -Uri $urls['echo'] -Method delete).ContentObject.method | Should -Be 'DELETE'
    }

    It 'decodes the content by its charset' {
        (Invoke-FcHttpTrigger -Uri $urls['latin']).Content | Should -Be 'café'
    }

    It 'refuses <Case> before sending, saying what to do' -ForEach @(
        @{ Case = 'a body with GET'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Method GET -Body 'x' }; Says = 'carries no body' }
        @{ Case = 'an asynchronous HEAD'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Method HEAD -InvocationType Async }; Says = 'HEAD request cannot be asynchronous' }
        @{ Case = 'a custom x-fc-* header'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Header @{ 'X-Fc-Log-Type' = 'Tail' } }; Says = 'custom x-fc-\* headers' }
        @{ Case = 'a Connection header'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Header @{ Connection = 'close' } }; Says = 'FC refuses it' }
        @{ Case = 'a Content-Type header'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Body 'x' -Header @{ 'Content-Type' = 'a/b' } }; Says = '-ContentType' }
        @{ Case = 'a URL that is not http(s)'; Call = { Invoke-FcHttpTrigger -Uri 'ftp://127.0.0.1/x' }; Says = 'not an absolute http:// or https:// URL' }
        @{ Case = 'a relative URL'; Call = { Invoke-FcHttpTrigger -Uri 'web/x' }; Says = 'not an absolute http:// or https:// URL' }
        @{ Case = '-Internal with -Uri'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Internal }; Says = '-Internal' }
        @{ Case = 'a query in -Path'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Path '/a?b=1' }; Says = '-Query' }
        @{ Case = '-ContentType without a body'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -ContentType 'text/plain' }; Says = 'sends none' }
        @{ Case = 'a malformed -ContentType'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Body 'x' -ContentType 'not a type' }; Says = 'not a media type' }
        @{ Case = 'a task id without async'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -AsyncTaskId 't1' -InvocationType Sync }; Says = 'asynchronous calls only' }
        @{ Case = '-Authentication Jwt without -Token'; Call = { Invoke-FcHttpTrigger -Uri $urls['jwt'] -Authentication Jwt }; Says = 'needs the token' }
        @{ Case = 'a path and query over 4 KB'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Query @{ q = 'a' * 4100 } }; Says = '4 KB' }
        @{ Case = 'a body that is not data'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Body (Get-Item $TestDrive) }; Says = 'InputFile'; Id = 'FcInvalidPayload' }
        @{ Case = 'both -Body and -InputFile'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -Body 'x' -InputFile $PSCommandPath }; Says = 'give one of them' }
        @{ Case = 'a missing input file'; Call = { Invoke-FcHttpTrigger -Uri $urls['echo'] -InputFile (Join-Path $TestDrive 'nope') }; Says = 'does not exist'; Id = 'FcInputFileNotFound' }
    ) {
        Reset-FcTestEmulator $emu
        $before = $emu.RequestCount
        $out = @(& $Call 2>&1)
        $err = @($out | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        @($out | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be "$(if ($Id) { $Id } else { 'FcInvalidArgument' }),FcInvoke.Commands.InvokeFcHttpTriggerCommand"
        "$($err[0])" | Should -Match $Says
        $emu.RequestCount | Should -Be $before -Because 'nothing is sent for bad input'
    }
}

Describe 'Invoke-FcHttpTrigger -FunctionName: discovery' {
    It 'finds the URL with ListTriggers, once per command however many inputs, and names the function' {
        Reset-FcTestEmulator $emu
        $r = 'a', 'b', 'c' | Invoke-FcHttpTrigger echo /items @conn -ThrottleLimit 3
        $r.ContentObject.body | Should -Be 'a', 'b', 'c'
        $r[0].Function | Should -Be 'echo'
        $r[0].Uri.AbsoluteUri | Should -Be "$($urls['echo'])/items"
        $r[0].Context | Should -Not -BeNullOrEmpty
        (Get-Requests '/2023-03-30/functions/echo/triggers') | Should -HaveCount 1
    }

    It 'takes the authentication from the trigger''s auth type: a signature for function, none for anonymous' {
        (Invoke-FcHttpTrigger signed /x @conn).Content | Should -Be 'signed /x'
        (Invoke-FcHttpTrigger signed @conn).Authentication | Should -Be 'Signature'
        (Invoke-FcHttpTrigger echo @conn).Authentication | Should -Be 'Anonymous'
    }

    It 'reaches the trigger of a qualifier, an FC 2.0 function, and the intranet URL' {
        $prod = Invoke-FcHttpTrigger echo -Qualifier prod @conn -ErrorAction SilentlyContinue -ErrorVariable err
        # The emulator's echo trigger is for LATEST: asking for prod lists what there is.
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcHttpTriggerNotFound,*'
        "$($err[0])" | Should -Match "no HTTP trigger for the qualifier 'prod'; its HTTP triggers are for LATEST"
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Invoke-FcHttpTrigger 'echo:LATEST' @conn).Function | Should -Be 'echo'
        (Invoke-FcHttpTrigger svc/old /p @conn).Content | Should -Be 'fc2 /p'
        $two = Invoke-FcHttpTrigger -ServiceName svc -FunctionName old @conn
        $two.Function | Should -Be 'svc/old'
        $two.Authentication | Should -Be 'Signature'
        (Get-Requests '/2021-04-06/services/svc/functions/old/triggers').Count | Should -BeGreaterThan 0
        $vpc = Invoke-FcHttpTrigger echo @conn -Internal
        $vpc.ContentObject.intranet | Should -BeTrue
        $vpc.Uri.AbsoluteUri | Should -BeLike '*-vpc'
    }

    It 'reports a function without an HTTP trigger, and one that does not exist, as such' {
        Invoke-FcHttpTrigger timer @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcHttpTriggerNotFound,*'
        "$($err[0])" | Should -Match "'timer' has no HTTP trigger.*Invoke-FcFunction"
        Invoke-FcHttpTrigger nobody @conn -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
        $err2[0].Exception.ErrorCode | Should -Be 'FunctionNotFound'
        "$($err2[0])" | Should -Match 'Get-FcFunction -All'
    }

    It 'refuses a method the trigger does not take, sending nothing to the trigger' {
        Reset-FcTestEmulator $emu
        Invoke-FcHttpTrigger getonly -Body 'x' @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidArgument,*'
        "$($err[0])" | Should -Match 'takes GET, not POST'
        (Get-Requests '/http-trigger/*') | Should -HaveCount 0
        (Invoke-FcHttpTrigger getonly @conn).Content | Should -Be 'got'
    }
}

Describe 'Invoke-FcHttpTrigger: authentication' {
    BeforeEach { Disconnect-FcAccount }
    AfterEach { foreach ($n in 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET') { Remove-Item "env:$n" -ErrorAction SilentlyContinue } }

    It 'signs with the right credential, and FC''s refusal of a wrong one is an FcServiceError that says what to check' {
        (Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $emu.Credential).Content | Should -Be 'signed /'
        Reset-FcTestEmulator $emu
        $wrong = [pscredential]::new($emu.AccessKeyId, (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))
        Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $wrong -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
        $err[0].Exception.ErrorCode | Should -Be 'SignatureNotMatch'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        "$($err[0])" | Should -Match 'account that owns the function'
        [int]$emu.ExecutionCounts['signed'] | Should -Be 0 -Because 'FC checks the signature before the function runs'
    }

    It 'plans the connection of a -Uri batch once: every response remembers the same context' {
        $r = 1..3 | Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $emu.Credential -ThrottleLimit 3
        $r.Content | Should -Be 'signed /', 'signed /', 'signed /'
        [object]::ReferenceEquals($r[0].Context, $r[2].Context) | Should -BeTrue
    }

    It 'signs with an STS credential and its token, and is refused without the token' {
        (Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -SecurityToken $stsToken).Content | Should -Be 'signed /'
        (Invoke-FcHttpTrigger signed @conn -Credential $stsCred -SecurityToken $stsToken).Authentication | Should -Be 'Signature'
        Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'InvalidAccessKeyID'
    }

    It 'signs a -Uri call by default when credentials are configured, and explains the refusal of an unsigned one' {
        Invoke-FcHttpTrigger -Uri $urls['signed'] -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'MissingRequiredHeader'
        "$($err[0])" | Should -Match '-Authentication Signature'
        $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $emu.AccessKeyId
        $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $secret
        $r = Invoke-FcHttpTrigger -Uri $urls['signed']
        $r.Authentication | Should -Be 'Signature'
        $r.Context.Source | Should -Be 'Environment'
        (Invoke-FcHttpTrigger -Uri $urls['echo'] -Authentication Anonymous).Authentication | Should -Be 'Anonymous'
    }

    It 'takes the connection of a Connect-FcAccount session for a signed -Uri call' {
        $null = $emu | Connect-FcAccount
        try { (Invoke-FcHttpTrigger -Uri $urls['signed']).Content | Should -Be 'signed /' }
        finally { Disconnect-FcAccount }
    }

    It 'sends -Token as a bearer token: the claims reach the function; a wrong, expired or missing token is refused' {
        $r = Invoke-FcHttpTrigger -Uri $urls['jwt'] -Token $goodJwt
        $r.Content | Should -Be 'hello ada'
        $r.Authentication | Should -Be 'Jwt'
        (Invoke-FcHttpTrigger jwt @conn -Token (ConvertTo-SecureString $goodJwt -AsPlainText -Force)).Content | Should -Be 'hello ada'
        Reset-FcTestEmulator $emu
        $bad = New-Jwt @{ sub = 'eve' } -Secret 'guess'
        $expired = New-Jwt @{ sub = 'ada'; exp = [DateTimeOffset]::UtcNow.AddMinutes(-5).ToUnixTimeSeconds() } -Secret 'jwt-secret-that-must-not-leak'
        foreach ($token in $bad, $expired) {
            Invoke-FcHttpTrigger -Uri $urls['jwt'] -Token $token -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.ErrorCode | Should -Be 'InvalidToken'
            $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            "$($err[0])" | Should -Match 'check its signature, its expiry'
        }
        [int]$emu.ExecutionCounts['jwt'] | Should -Be 0
        Invoke-FcHttpTrigger jwt @conn -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'FcInvalidArgument,*'
        "$($missing[0])" | Should -Match 'checks a JWT \(authType jwt\): give the token with -Token'
    }

    It 'lets -Authentication override the trigger''s auth type' {
        Invoke-FcHttpTrigger signed @conn -Authentication Anonymous -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.ErrorCode | Should -Be 'MissingRequiredHeader'
        (Invoke-FcHttpTrigger echo @conn -Authentication Signature).Authentication | Should -Be 'Signature' -Because 'an anonymous trigger ignores a signature'
    }
}

Describe 'Invoke-FcHttpTrigger: errors and retries' {
    BeforeEach { Set-FcTestEmulatorFaults $emu; Reset-FcTestEmulator $emu }
    AfterAll { Set-FcTestEmulatorFaults $emu }

    It 'reports a function''s 4xx as FcHttpError whose target is the whole answer, which names its input' {
        Invoke-FcHttpTrigger missing /orders/7 @conn -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FcHttpError,FcInvoke.Commands.InvokeFcHttpTriggerCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -BeOfType ([FcInvoke.FcHttpResponse])
        $err[0].TargetObject.StatusCode | Should -Be 404
        $err[0].TargetObject.ContentObject.error | Should -Be 'no such order'
        $err[0].TargetObject.InputObject | Should -Be 'missing'
        $err[0].Exception | Should -BeOfType ([FcInvoke.FcHttpException])
        $err[0].Exception.Message | Should -Match "Function 'missing' answered HTTP 404 Not Found to GET /http-trigger/missing-[0-9a-f]+/orders/7"
    }

    It 'writes the function''s 4xx/5xx as a result with -SkipHttpErrorCheck' {
        $r = Invoke-FcHttpTrigger missing @conn -SkipHttpErrorCheck -ErrorVariable err
        $err | Should -HaveCount 0
        $r.StatusCode | Should -Be 404
    }

    It 'reports a function that failed as FcHttpError with FC''s error type' {
        Invoke-FcHttpTrigger boom @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcHttpError,*'
        $err[0].Exception.ErrorType | Should -Be 'UnhandledInvocationError'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        "$($err[0])" | Should -Match 'failed \(UnhandledInvocationError\).*kaput'
    }

    It 'never resends a function''s own 503: it ran' {
        Invoke-FcHttpTrigger -Uri $urls['busy'] -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcHttpError,*'
        $err[0].TargetObject.Attempts | Should -Be 1
        $emu.ExecutionCounts['busy'] | Should -Be 1
        (Get-Requests '/http-trigger/busy-*') | Should -HaveCount 1
    }

    It 'resends FC''s own throttling, with -MaxRetries, and says how many attempts it made' {
        Set-FcTestEmulatorFaults $emu -Rates @(1.0)
        Invoke-FcHttpTrigger -Uri $urls['echo'] -MaxRetries 2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
        $err[0].Exception.ErrorCode | Should -Be 'ResourceExhausted'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        "$($err[0])" | Should -Match 'after 3 attempts'
        (Get-Requests '/http-trigger/echo-*') | Should -HaveCount 3
        [int]$emu.ExecutionCounts['echo'] | Should -Be 0
    }

    It 'does not resend a synchronous call whose connection dropped after it ran' {
        Set-FcTestEmulatorFaults $emu -Rates @(0, 0, 0, 0, 1.0)
        Invoke-FcHttpTrigger -Uri $urls['later'] -Body 'x' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcConnectionFailed,*'
        "$($err[0])" | Should -Match 'not retried, because the function may have run'
        $emu.ExecutionCounts['later'] | Should -Be 1
    }

    It 'ends a call at -TimeoutSec with FcTimeout' {
        $s = Set-FcTestShared 'FcInvokeTestHttp' ([hashtable]::Synchronized(@{ Release = [Threading.ManualResetEventSlim]::new($false) }))
        try {
            Invoke-FcHttpTrigger -Uri $urls['hold'] -TimeoutSec 1 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcTimeout,*'
            "$($err[0])" | Should -Match '-TimeoutSec'
        }
        finally { $null = $s.Release.Set() }
    }
}

Describe 'Invoke-FcHttpTrigger: asynchronous calls' {
    BeforeEach { Set-FcTestEmulatorFaults $emu; Reset-FcTestEmulator $emu }
    AfterAll { Set-FcTestEmulatorFaults $emu }

    It 'queues the call with X-Fc-Invocation-Type: Async (202) and shows its task id' {
        $r = Invoke-FcHttpTrigger later -Body 'job-1' -InvocationType Async @conn
        $r.StatusCode | Should -Be 202
        $r.InvocationType | Should -Be 'Async'
        $r.AsyncTaskId | Should -Not -BeNullOrEmpty
        ($r | Out-String -Width 80) | Should -Match 'AsyncTaskId'
        $task = Wait-FcAsyncTask later -TaskId $r.AsyncTaskId @conn -TimeoutSec 60 -ErrorAction Stop
        $task.ReturnPayload | Should -Be 'done job-1'
    }

    It 'sends -AsyncTaskId (which implies async), and a task id used before is FC''s 409' {
        $r = Invoke-FcHttpTrigger later -Body 'job-2' -AsyncTaskId 'trigger_job_2' @conn
        $r.AsyncTaskId | Should -Be 'trigger_job_2'
        $r.InvocationType | Should -Be 'Async'
        Invoke-FcHttpTrigger later -Body 'job-2' -AsyncTaskId 'trigger_job_2' @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'resends a submission whose answer was lost, same task id, and takes the 409 as accepted: queued once' {
        Set-FcTestEmulatorFaults $emu -Rates @(0, 0, 0, 0, 1.0)
        $r = Invoke-FcHttpTrigger -Uri $urls['later'] -Body 'job-3' -AsyncTaskId 'trigger_job_3'
        $r.AcceptedEarlier | Should -BeTrue
        $r.StatusCode | Should -Be 409
        $r.Attempts | Should -Be 2
        $r.AsyncTaskId | Should -Be 'trigger_job_3'
        Set-FcTestEmulatorFaults $emu
        @(Get-FcAsyncTask later @conn | Where-Object TaskId -eq 'trigger_job_3') | Should -HaveCount 1
    }

    It 'does not resend a submission without a task id whose answer was lost, and says why' {
        Set-FcTestEmulatorFaults $emu -Rates @(0, 0, 0, 0, 1.0)
        Invoke-FcHttpTrigger -Uri $urls['later'] -Body 'job-4' -InvocationType Async -ErrorVariable err -ErrorAction SilentlyContinue
        "$($err[0])" | Should -Match 'give -AsyncTaskId to make resending safe'
        (Get-Requests '/http-trigger/later-*') | Should -HaveCount 1
    }
}

Describe 'Invoke-FcHttpTrigger: pipeline and fan-out' {
    It 'sends each piped value as a body, keeps input order, and runs -ThrottleLimit calls at once' {
        $s = Set-FcTestShared 'FcInvokeTestHttp' ([hashtable]::Synchronized(@{ Barrier = [Threading.Barrier]::new(4) }))
        $r = 1..8 | Invoke-FcHttpTrigger -Uri $urls['barrier'] -ThrottleLimit 4
        $r.Content | Should -Be (1..8 | ForEach-Object { "$_" }) -Because 'every call met three others at the barrier, and results come in input order'
        $r.InputObject | Should -Be (1..8)
        $null = $s
    }

    It 'writes results in completion order with -Unordered' {
        $s = Set-FcTestShared 'FcInvokeTestHttp' ([hashtable]::Synchronized(@{ Release = [Threading.ManualResetEventSlim]::new($false) }))
        $r = & { 'a'; 'b'; 'c'; $null = $s.Release.Set() } | Invoke-FcHttpTrigger latched @conn -ThrottleLimit 2 -Unordered
        $r.Content | Should -Be 'b', 'c', 'a'
    }

    It 'sends a row as JSON, warns once about a column it does not use, and takes per-input values from script blocks' {
        $rows = @([pscustomobject]@{ id = 1; Path = '/ignored' }, [pscustomobject]@{ id = 2; Path = '/ignored' })
        $r = $rows | Invoke-FcHttpTrigger -Uri $urls['echo'] -WarningVariable warned -WarningAction SilentlyContinue
        $r.ContentObject.path | Should -Be '/', '/'
        ($r[0].ContentObject.body | ConvertFrom-Json).id | Should -Be 1
        $warned | Should -HaveCount 1
        "$warned" | Should -Match "'Path' property was not used as -Path.*-Path \{ \`$_.Path \}"
        $r2 = $rows | Invoke-FcHttpTrigger -Uri $urls['echo'] -Path { "/orders/$($_.id)" } -Method { 'PUT' } -Query { @{ n = $_.id } }
        $r2.ContentObject.path | Should -Be '/orders/1', '/orders/2'
        $r2.ContentObject.method | Should -Be 'PUT', 'PUT'
        $r2.ContentObject.query | Should -Be 'n=1', 'n=2'
    }

    It 'takes the URL from each input only through a script block; a Uri column alone names no URL' {
        $rows = @([pscustomobject]@{ target = $urls['echo'].AbsoluteUri; n = 1 }, [pscustomobject]@{ target = $urls['later'].AbsoluteUri; n = 2 })
        $r = $rows | Invoke-FcHttpTrigger -Uri { $_.target }
        $r[0].ContentObject.method | Should -Be 'POST'
        $r[1].Content | Should -BeLike 'done {*"n":2*}'
        [pscustomobject]@{ Uri = $urls['echo'].AbsoluteUri } | Invoke-FcHttpTrigger -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        "$($err[0])" | Should -Match 'No URL is named for this input'
    }

    It 'names the function from a FunctionName column, and calls the trigger of each function piped from Get-FcFunction' {
        $r = [pscustomobject]@{ FunctionName = 'echo'; n = 1 } | Invoke-FcHttpTrigger @conn
        ($r.ContentObject.body | ConvertFrom-Json).n | Should -Be 1
        $results = Get-FcFunction @conn -FunctionName 'getonly', 'signed' | Invoke-FcHttpTrigger -Path /health
        @($results).Content | Sort-Object | Should -Be 'got', 'signed /health'
        $results[0].Context | Should -Not -BeNullOrEmpty
        [pscustomobject]@{ Name = 'echo'; n = 1 } | Invoke-FcHttpTrigger @conn -ErrorVariable err -ErrorAction SilentlyContinue
        "$($err[0])" | Should -Match 'No function is named for this input: give it on the command line \(Invoke-FcHttpTrigger <name>\)'
    }

    It 'reports each failed input without stopping the others, naming the input' {
        $inputs = 'ok1', 'ok2'
        $r = $inputs | Invoke-FcHttpTrigger -Uri $urls['missing'] -ThrottleLimit 2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs | Should -HaveCount 2
        $errs.TargetObject.InputObject | Sort-Object | Should -Be 'ok1', 'ok2'
        "$($errs[0])" | Should -Match '^Input \d \(''ok\d''\): Function|^Input \d \(''ok\d''\): The function'
    }

    It 'stops on Ctrl+C: abandons the calls in flight and starts nothing afterwards' {
        $server = Start-FcTestHoldingServer
        try {
            $state = Invoke-FcTestPipelineStop -ScriptBlock {
                param($ModulePath, $url)
                Import-Module $ModulePath
                1..200 | Invoke-FcHttpTrigger -Uri $url -ThrottleLimit 4
            } -ArgumentList $server.Endpoint -Started { $server.Requests.Count -ge 4 }
            $state | Should -Be 'Stopped'
            Wait-FcTestCondition { @($server.Requests | Where-Object Closed).Count -ge 4 } -Because 'the calls in flight were abandoned'
            @($server.Requests).Body | Sort-Object { [int]$_ } | Should -Be (1..4 | ForEach-Object { "$_" }) -Because 'nothing started after Ctrl+C'
        }
        finally { $server | Stop-FcTestHoldingServer }
    }
}

Describe 'Invoke-FcHttpTrigger -WhatIf' {
    It 'shows the signed request with secrets redacted and sends nothing, not even ListTriggers' {
        Reset-FcTestEmulator $emu
        $before = $emu.RequestCount
        $text = Get-FcTestHostOutput { Invoke-FcHttpTrigger -Uri $urls['signed'] -Path '/jobs' -Query @{ day = 'mon' } -Credential $emu.Credential -Body @{ a = 1 } -WhatIf }
        $text | Should -Match "POST $([regex]::Escape($urls['signed'].AbsoluteUri))/jobs\?day=mon"
        $text | Should -Match 'SignedHeaders=x-acs-date;x-acs-security-token,Signature=<redacted>'
        $text | Should -Match 'x-acs-security-token: <redacted>'
        $text | Should -Match 'content-type: application/json'
        $text | Should -Match 'body: 7 bytes'
        $found = Get-FcTestHostOutput { Invoke-FcHttpTrigger signed /jobs @conn -WhatIf }
        $found | Should -Match "GET <the public URL of the HTTP trigger of 'signed', found with ListTriggers when sent>/jobs"
        $found | Should -Match "authorization: <as the trigger's authType says"
        $jwt = Get-FcTestHostOutput { Invoke-FcHttpTrigger jwt @conn -Token $goodJwt -WhatIf }
        $jwt | Should -Match 'authorization: Bearer <redacted>'
        $emu.RequestCount | Should -Be $before
    }
}

Describe 'Invoke-FcHttpTrigger: secrets stay secret' {
    It 'never shows the AccessKey secret, the STS token or the JWT in any stream' {
        $all = Get-FcTestHostOutput {
            Invoke-FcHttpTrigger signed /a @conn -Verbose -Debug
            Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -SecurityToken $stsToken -Verbose -Debug
            Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -Verbose -Debug -ErrorAction Continue
            Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -SecurityToken $stsToken -WhatIf
            Invoke-FcHttpTrigger jwt @conn -Token $goodJwt -Verbose -Debug
            Invoke-FcHttpTrigger -Uri $urls['jwt'] -Token $goodJwt -WhatIf
            Invoke-FcHttpTrigger -Uri $urls['jwt'] -Token ($goodJwt + 'x') -Verbose -Debug -ErrorAction Continue
            Invoke-FcHttpTrigger -Uri $urls['signed'] -Credential $stsCred -SecurityToken $stsToken | Format-List * | Out-String
        }
        $all | Should -Match 'Signature=<redacted>'
        $all | Should -Match 'Bearer <redacted>'
        foreach ($secretText in $secret, 'sts-secret-that-must-not-leak', $stsToken, $goodJwt, 'jwt-secret-that-must-not-leak') {
            $all.Contains($secretText) | Should -BeFalse -Because 'no secret is ever shown'
        }
        $all.Contains($goodJwt.Split('.')[2]) | Should -BeFalse -Because 'not even the JWT''s signature'
    }
}
