# The emulator as a security boundary, over real HTTP on 127.0.0.1 (issue 12): authentication from the headers before
# the body, replay protection, the V3 signed-header rules, STS token rules, bounded memory for refused uploads, FC's
# name checks, and no 500 after a function ran.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'echo'     = { param($Event) $Event }
        'svc/echo' = { param($Event) $Event }
    }
    $script:conn = Get-FcTestConnection $emu
    $script:invoke = '/2023-03-30/functions/echo/invocations'
    function Get-Runs { param([string] $EventText) [int]$emu.InputExecutionCounts[$EventText] }
}

AfterAll { $emu | Stop-FcEmulator }

Describe 'Replay protection' {
    It 'runs a signed request once: sent again it is refused with 400 SignatureNonceUsed' {
        $nonce = [guid]::NewGuid().ToString('N'); $date = [DateTimeOffset]::UtcNow
        $body = [Text.Encoding]::UTF8.GetBytes('replay-me')
        $first = Send-FcTestSignedRequest $emu -Path $invoke -Body $body -Nonce $nonce -Date $date
        $first.StatusCode | Should -Be 200
        $first.Text | Should -Be 'replay-me'
        $again = Send-FcTestSignedRequest $emu -Path $invoke -Body $body -Nonce $nonce -Date $date
        $again.StatusCode | Should -Be 400
        $again.Code | Should -Be 'SignatureNonceUsed'
        Get-Runs 'replay-me' | Should -Be 1
    }

    It 'refuses a fresh signature that reuses a nonce' {
        $nonce = [guid]::NewGuid().ToString('N')
        (Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'nonce-a') -Nonce $nonce).StatusCode | Should -Be 200
        $reused = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'nonce-b') -Nonce $nonce -Date ([DateTimeOffset]::UtcNow.AddSeconds(5))
        $reused.Code | Should -Be 'SignatureNonceUsed'
        Get-Runs 'nonce-b' | Should -Be 0
    }

    It 'refuses a request without a nonce (400 MissingRequiredHeader) and runs nothing' {
        $r = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'no-nonce') -Omit 'x-acs-signature-nonce'
        $r.StatusCode | Should -Be 400
        $r.Code | Should -Be 'MissingRequiredHeader'
        $r.Json.Message | Should -Be 'required HTTP header x-acs-signature-nonce was not specified'
        Get-Runs 'no-nonce' | Should -Be 0
    }
}

Describe 'What must be signed (the V3 rules)' {
    It 'refuses a request that leaves <Header> unsigned: 403 SignatureNotMatch' -ForEach @(
        @{ Header = 'x-acs-date' }, @{ Header = 'x-acs-signature-nonce' }, @{ Header = 'x-acs-content-sha256' },
        @{ Header = 'host' }, @{ Header = 'content-type' }, @{ Header = 'x-acs-custom' }
    ) {
        $r = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]"unsigned-$Header") -Header @{ 'x-acs-custom' = '1' } -Unsigned $Header
        $r.StatusCode | Should -Be 403
        $r.Code | Should -Be 'SignatureNotMatch'
        $r.Json.Message | Should -Match ([regex]::Escape("'$Header'"))
        Get-Runs "unsigned-$Header" | Should -Be 0
    }

    It 'refuses a re-dated copy of a captured request' {
        $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body ([byte[]][char[]]'captured')
        $client = Open-FcTestSocket $emu
        try {
            $lines = foreach ($h in $headers) { if ($h.Key -eq 'x-acs-date') { "x-acs-date: $([DateTime]::UtcNow.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"))" } else { "$($h.Key): $($h.Value)" } }
            Send-FcTestRawBytes $client ("POST $invoke HTTP/1.1`r`n" + ($lines -join "`r`n") + "`r`nContent-Length: 8`r`n`r`ncaptured")
            $response = Read-FcTestRawResponse $client
            $response.Status | Should -Be 403
            $response.Body | Should -Match 'SignatureNotMatch'
        }
        finally { $client.Dispose() }
        Get-Runs 'captured' | Should -Be 0
    }

    It 'refuses a body that does not match the signed x-acs-content-sha256, without running' {
        $signed = [Text.Encoding]::UTF8.GetBytes('amount=1')
        $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body $signed
        $client = Open-FcTestSocket $emu
        try {
            Send-FcTestRawBytes $client ("POST $invoke HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nContent-Length: 8`r`n`r`namount=9")
            $response = Read-FcTestRawResponse $client
            $response.Status | Should -Be 400
            $response.Body | Should -Match 'InvalidArgument'
            $response.Body | Should -Match 'x-acs-content-sha256 does not match'
        }
        finally { $client.Dispose() }
        Get-Runs 'amount=9' | Should -Be 0
        Get-Runs 'amount=1' | Should -Be 0
    }
}

Describe 'Keys and STS tokens' {
    BeforeAll {
        Add-FcTestEmulatorKey $emu -AccessKeyId 'STS.emutest' -AccessKeySecret 'sts-secret-for-test' -SecurityToken 'sts-token-for-test'
    }

    It 'refuses the permanent key with a stray security token as FC refuses an unknown key (403 InvalidAccessKeyID)' {
        $r = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'stray-token') -SecurityToken 'stray'
        $r.StatusCode | Should -Be 403
        $r.Code | Should -Be 'InvalidAccessKeyID'
        Get-Runs 'stray-token' | Should -Be 0
    }

    It 'refuses an STS key without its token (403 InvalidAccessKeyID) and with a wrong one (403 InvalidSecurityToken)' {
        $without = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'sts-a') -AccessKeyId 'STS.emutest' -AccessKeySecret 'sts-secret-for-test'
        $without.StatusCode | Should -Be 403
        $without.Code | Should -Be 'InvalidAccessKeyID'
        $wrong = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'sts-b') -AccessKeyId 'STS.emutest' -AccessKeySecret 'sts-secret-for-test' -SecurityToken 'guess'
        $wrong.Code | Should -Be 'InvalidSecurityToken'
        $right = Send-FcTestSignedRequest $emu -Path $invoke -Body ([byte[]][char[]]'sts-c') -AccessKeyId 'STS.emutest' -AccessKeySecret 'sts-secret-for-test' -SecurityToken 'sts-token-for-test'
        $right.StatusCode | Should -Be 200
        foreach ($r in $without, $wrong) { $r.Text | Should -Not -Match 'sts-token-for-test|sts-secret-for-test' }
        (Get-Runs 'sts-a') + (Get-Runs 'sts-b') | Should -Be 0
    }

    It 'keeps tokens and signatures out of the journal' {
        $entry = $emu.RecentRequests | Where-Object { $_.Headers['x-acs-security-token'] } | Select-Object -Last 1
        $entry.Headers['x-acs-security-token'] | Should -Be '<redacted>'
        $entry.Headers['authorization'] | Should -Be '<redacted>'
        ($emu.RecentRequests | ForEach-Object { $_.Headers.Values }) -join ' ' | Should -Not -Match 'sts-token-for-test|guess|stray'
    }
}

Describe 'Bodies are read only after authentication, within a bounded budget' {
    It 'answers 16 unauthenticated 32 MB uploads from their headers and holds none of their bytes' {
        Reset-FcTestEmulator $emu
        $clients = 1..16 | ForEach-Object {
            $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body ([byte[]][char[]]'x') -AccessKeySecret 'not-the-secret'
            $client = Open-FcTestSocket $emu
            $head = "POST $invoke HTTP/1.1`r`n" + (($headers | Where-Object Key -ne 'content-type' | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") +
                    "`r`ncontent-type: application/octet-stream`r`nContent-Length: $(32MB)`r`n`r`n"
            Send-FcTestRawBytes $client $head
            Send-FcTestRawBytes $client ([byte[]]::new(64KB))  # the start of a body that never needs to arrive
            $client
        }
        try {
            foreach ($client in $clients) {
                $response = Read-FcTestRawResponse $client
                $response.Status | Should -Be 403
                $response.Head | Should -Match '(?im)^connection: close'
                $response.Body | Should -Match 'SignatureNotMatch'
            }
        }
        finally { $clients | ForEach-Object Dispose }
        (Get-FcTestEmulatorDiagnostics $emu).BodyBytesPeak | Should -Be 0
        $refused = @($emu.RecentRequests | Where-Object StatusCode -eq 403)
        $refused | Should -HaveCount 16
        $refused.BodyLength | Sort-Object -Unique | Should -Be 0
    }

    It 'refuses an authenticated upload declared larger than 32 MB before reading it (400 EntityTooLarge)' {
        Reset-FcTestEmulator $emu
        $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body ([byte[]][char[]]'x') -ContentSha256 ('0' * 64)
        $client = Open-FcTestSocket $emu
        try {
            Send-FcTestRawBytes $client ("POST $invoke HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nContent-Length: $(33MB)`r`n`r`n")
            $response = Read-FcTestRawResponse $client
            $response.Status | Should -Be 400
            $response.Body | Should -Match 'EntityTooLarge'
        }
        finally { $client.Dispose() }
        (Get-FcTestEmulatorDiagnostics $emu).BodyBytesPeak | Should -Be 0
    }

    It 'refuses an async payload over 128 KB from its declared length' {
        $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body ([byte[]][char[]]'x') -Header @{ 'x-fc-invocation-type' = 'Async' }
        $client = Open-FcTestSocket $emu
        try {
            Send-FcTestRawBytes $client ("POST $invoke HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nContent-Length: $(128KB + 1)`r`n`r`n")
            (Read-FcTestRawResponse $client).Body | Should -Match 'EntityTooLarge.*131072'
        }
        finally { $client.Dispose() }
    }

    It 'holds an authenticated body only while its request is handled, within the documented budget' {
        Reset-FcTestEmulator $emu
        $payload = [byte[]]::new(3MB); [Random]::new(7).NextBytes($payload)
        $r = Send-FcTestSignedRequest $emu -Path $invoke -Body $payload
        $r.StatusCode | Should -Be 200
        $d = Get-FcTestEmulatorDiagnostics $emu
        $d.BodyBytesPeak | Should -Be 3MB
        $d.BodyBytesHeld | Should -Be 0
        $d.BodyBytesCapacity | Should -Be 128MB
    }

    It 'reads a chunked body (no Content-Length) and checks it against the signed hash' {
        $body = [Text.Encoding]::UTF8.GetBytes('chunked-body-' + ('z' * 5000))
        $headers = New-FcTestSignedHeaders $emu -Path $invoke -Body $body
        $client = Open-FcTestSocket $emu
        try {
            $chunks = "{0:x}`r`n" -f 13 + 'chunked-body-' + "`r`n" + ("{0:x}`r`n" -f 5000) + ('z' * 5000) + "`r`n0`r`n`r`n"
            Send-FcTestRawBytes $client ("POST $invoke HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nTransfer-Encoding: chunked`r`n`r`n" + $chunks)
            $response = Read-FcTestRawResponse $client
            $response.Status | Should -Be 200
            $response.Body | Should -Be ([Text.Encoding]::UTF8.GetString($body))
        }
        finally { $client.Dispose() }
    }
}

Describe 'Chunked bodies' {
    It 'refuses a chunked body once it passes the operation''s limit (400 EntityTooLarge), and a malformed one (400 InvalidArgument)' {
        foreach ($case in @(
            @{ Chunks = ("{0:x}`r`n" -f 70000) + ('a' * 70000) + "`r`n0`r`n`r`n"; Code = 'EntityTooLarge' }
            @{ Chunks = "zz`r`nabc`r`n0`r`n`r`n"; Code = 'InvalidArgument' }
        )) {
            $headers = New-FcTestSignedHeaders $emu -Method GET -Path '/2023-03-30/functions' -Body ([byte[]][char[]]'x') -ContentSha256 ('0' * 64)
            $client = Open-FcTestSocket $emu
            try {
                Send-FcTestRawBytes $client ("GET /2023-03-30/functions HTTP/1.1`r`n" + (($headers | ForEach-Object { "$($_.Key): $($_.Value)" }) -join "`r`n") + "`r`nTransfer-Encoding: chunked`r`n`r`n" + $case.Chunks)
                $response = Read-FcTestRawResponse $client
                $response.Status | Should -Be 400
                $response.Body | Should -Match $case.Code
            }
            finally { $client.Dispose() }
        }
    }
}

Describe 'Names are checked as FC checks them, before anything runs' {
    It 'refuses the qualifier <Case> with 400 InvalidArgument and runs nothing' -ForEach @(
        @{ Case = 'with CR/LF'; Query = 'qualifier=prod%0D%0AX-Injected%3A%201' }
        @{ Case = 'with NUL'; Query = 'qualifier=a%00b' }
        @{ Case = 'with non-ASCII'; Query = 'qualifier=caf%C3%A9' }
        @{ Case = 'climbing paths'; Query = 'qualifier=..%2F..%2Fetc' }
        @{ Case = 'of 200 characters'; Query = 'qualifier=' + ('a' * 200) }
    ) {
        Reset-FcTestEmulator $emu
        $r = Send-FcTestSignedRequest $emu -Path $invoke -Query $Query -Body ([byte[]][char[]]'named')
        $r.StatusCode | Should -Be 400
        $r.Code | Should -Be 'InvalidArgument'
        $r.Json.Message | Should -Match 'not a valid qualifier'
        $emu.ExecutionCounts['echo'] | Should -Be 0
        $r.Headers.Contains('X-Injected') | Should -BeFalse
    }

    It 'refuses invalid function, service and task names with 400 InvalidArgument' {
        (Send-FcTestSignedRequest $emu -Path '/2023-03-30/functions/1bad/invocations').Code | Should -Be 'InvalidArgument'
        (Send-FcTestSignedRequest $emu -Path '/2023-03-30/functions/bad%0Aname/invocations').Code | Should -Be 'InvalidArgument'
        (Send-FcTestSignedRequest $emu -Path '/2021-04-06/services/-svc/functions/echo/invocations').Code | Should -Be 'InvalidArgument'
        (Send-FcTestSignedRequest $emu -Method GET -Path '/2023-03-30/functions/echo/async-tasks/9task').Code | Should -Be 'InvalidArgument'
        $task = Send-FcTestSignedRequest $emu -Path $invoke -Header @{ 'x-fc-invocation-type' = 'Async'; 'x-fc-async-task-id' = "bad`tid" }
        $task.Code | Should -Be 'InvalidArgument'
        $emu.ExecutionCounts['echo'] | Should -Be 0
    }

    It 'answers 400 PathNotSupported for paths FC does not have, and for write operations' {
        foreach ($case in @(
            @{ Method = 'GET'; Path = '/2023-03-30/nothing-here' }
            @{ Method = 'DELETE'; Path = '/2023-03-30/functions/echo' }
            @{ Method = 'PUT'; Path = '/2023-03-30/functions/echo/async-invoke-config' }
            @{ Method = 'GET'; Path = '/2016-08-15/services' }
        )) {
            $r = Send-FcTestSignedRequest $emu @case
            $r.StatusCode | Should -Be 400
            $r.Code | Should -Be 'PathNotSupported'
            $r.Json.Message | Should -Be "'$($case.Method)' against '$($case.Path)' is not supported"
        }
    }

    It 'never answers 500 after running a function, whatever the function returns' {
        # A hashtable with a non-string key: ConvertTo-Json cannot serialize it, after the function ran.
        $odd = Start-FcEmulator -Function @{ cyclic = { param($Event) @{ ([object]::new()) = 1 } } }
        try {
            $oddConn = Get-FcTestConnection $odd
            $r = Invoke-FcFunction cyclic @oddConn -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FcFunctionError*'
            $err[0].Exception.Result.ErrorMessage | Should -Match 'Keys must be strings'   # a function error's result
            $odd.ExecutionCounts['cyclic'] | Should -Be 1
            $odd.RecentRequests.StatusCode | Should -Not -Contain 500
        }
        finally { $odd | Stop-FcEmulator }
    }
}

Describe 'Malformed HTTP' {
    It 'answers <Case> with 400 and closes the connection' -ForEach @(
        @{ Case = 'a garbage request line'; Text = "HELLO`r`n`r`n" }
        @{ Case = 'Content-Length next to Transfer-Encoding'; Text = "POST / HTTP/1.1`r`nHost: x`r`nContent-Length: 1`r`nTransfer-Encoding: chunked`r`n`r`n" }
        @{ Case = 'a folded header'; Text = "GET / HTTP/1.1`r`nHost: x`r`nX-A: 1`r`n  more`r`n`r`n" }
        @{ Case = 'an oversized head'; Text = "GET / HTTP/1.1`r`nHost: x`r`nX-Big: $('a' * 20000)`r`n`r`n" }
    ) {
        $client = Open-FcTestSocket $emu
        try {
            Send-FcTestRawBytes $client $Text
            $response = Read-FcTestRawResponse $client
            $response.Status | Should -Be 400
            $response.Head | Should -Match '(?im)^connection: close'
            $response.Body | Should -Match 'malformed HTTP request'
        }
        finally { $client.Dispose() }
    }
}
