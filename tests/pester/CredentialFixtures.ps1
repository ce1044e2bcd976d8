# Loopback fixtures for the credential tests: small HTTP servers (STS, ECS instance metadata) on 127.0.0.1 that
# record every request and answer from a handler script. Each runs in its own runspace; dot-source from BeforeAll.

$script:FixtureLoop = {
    param($Listener, [string] $HandlerText, $Shared)
    # Handlers call this to hand out a temporary credential that expires after $State.LifetimeSec seconds;
    # when the state holds an emulator, the emulator is told to accept it.
    function New-FixtureCredential($State, [string] $Prefix) {
        $State.Minted = $State.Minted + 1  # one request at a time: the loop is single-threaded
        $n = $State.Minted
        $credential = [ordered]@{
            AccessKeyId     = "STS.$Prefix$n" + [guid]::NewGuid().ToString('N').Substring(0, 6)
            AccessKeySecret = "$($Prefix)Secret$n" + [guid]::NewGuid().ToString('N')
            SecurityToken   = "$($Prefix)Token$n" + [guid]::NewGuid().ToString('N')
            Expiration      = [DateTime]::UtcNow.AddSeconds($State.LifetimeSec).ToString('yyyy-MM-ddTHH:mm:ssZ')
        }
        if ($State.Emulator) {
            # The emulator's internal AcceptKey (this runspace does not have Common.ps1's Add-FcTestEmulatorKey).
            $accept = $State.Emulator.GetType().GetMethod('AcceptKey', [Reflection.BindingFlags]'Instance,NonPublic')
            $null = $accept.Invoke($State.Emulator, @($credential.AccessKeyId, $credential.AccessKeySecret, $credential.SecurityToken))
        }
        $null = $State.Issued.Add([pscustomobject]$credential)
        $credential
    }
    function ConvertFrom-FixtureForm([string] $Text) {
        $values = @{}
        foreach ($pair in ($Text -split '&')) {
            if (-not $pair) { continue }
            $name, $value = $pair -split '=', 2
            $values[[uri]::UnescapeDataString($name)] = [uri]::UnescapeDataString([string]$value)
        }
        $values
    }
    $handler = [scriptblock]::Create($HandlerText)
    while ($Listener.IsListening) {
        try { $context = $Listener.GetContext() } catch { break }
        try {
            $request = $context.Request
            $reader = [IO.StreamReader]::new($request.InputStream)
            $body = $reader.ReadToEnd()
            $headers = @{}
            foreach ($key in $request.Headers.AllKeys) { $headers[$key] = $request.Headers[$key] }
            $rawQuery = if ($request.RawUrl.Contains('?')) { $request.RawUrl.Substring($request.RawUrl.IndexOf('?') + 1) } else { '' }
            $record = [pscustomobject]@{
                Method = $request.HttpMethod; Path = $request.Url.AbsolutePath; RawQuery = $rawQuery
                Query = (ConvertFrom-FixtureForm $rawQuery); Form = (ConvertFrom-FixtureForm $body)
                Headers = $headers; Body = $body; Time = [DateTime]::UtcNow
            }
            $null = $Shared.Requests.Add($record)
            $answer = try { & $handler $record $Shared.State } catch { @{ Status = 500; Body = "fixture handler failed: $_" } }
            # $State.Hold (a ManualResetEventSlim) keeps the answer back until the test sets it: a request in flight on demand.
            if ($Shared.State.Hold) { $null = $Shared.State.Hold.Wait(60000) }
            $text = if ($answer.Body -is [string]) { $answer.Body } else { $answer.Body | ConvertTo-Json -Depth 5 }
            $bytes = [Text.Encoding]::UTF8.GetBytes([string]$text)
            $context.Response.StatusCode = if ($answer.Status) { $answer.Status } else { 200 }
            $context.Response.ContentType = if ($answer.ContentType) { $answer.ContentType } else { 'application/json' }
            $context.Response.ContentLength64 = $bytes.Length
            $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
        }
        catch { }
        finally { try { $context.Response.Close() } catch { } }
    }
}

function Start-FcTestHttpFixture {
    # $Handler: param($Request, $State) returning @{ Status; Body (string or object → JSON); ContentType }.
    param([Parameter(Mandatory)] [scriptblock] $Handler, [hashtable] $State = @{})
    foreach ($key in 'Minted', 'LifetimeSec') { if (-not $State.ContainsKey($key)) { $State[$key] = 0 } }
    if (-not $State.ContainsKey('Hold')) { $State.Hold = $null }
    if (-not $State.LifetimeSec) { $State.LifetimeSec = 3600 }
    $State.Issued = [Collections.ArrayList]::Synchronized([Collections.ArrayList]::new())
    $state = [hashtable]::Synchronized($State)
    for ($attempt = 0; ; $attempt++) {
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $listener = [Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/")
        try { $listener.Start(); break } catch { $listener.Close(); if ($attempt -ge 5) { throw } }
    }
    $shared = [hashtable]::Synchronized(@{ Requests = [Collections.ArrayList]::Synchronized([Collections.ArrayList]::new()); State = $state })
    $ps = [powershell]::Create()
    $null = $ps.AddScript($script:FixtureLoop.ToString()).AddArgument($listener).AddArgument($Handler.ToString()).AddArgument($shared)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{
        Url = "http://127.0.0.1:$port"; Port = $port; Requests = $shared.Requests; State = $state
        Listener = $listener; PowerShell = $ps; Handle = $handle
    }
}

function Stop-FcTestHttpFixture {
    param([Parameter(ValueFromPipeline)] $Fixture)
    process {
        if (-not $Fixture) { return }
        $Fixture.Listener.Stop(); $Fixture.Listener.Close()
        $null = $Fixture.Handle.AsyncWaitHandle.WaitOne(5000)
        $Fixture.PowerShell.Dispose()
    }
}

# STS: AssumeRole, AssumeRoleWithOIDC (mint a credential) and GetCallerIdentity ($State.AccountId);
# $State.Fail = 'Code' answers 403 with that code.
$script:StsHandler = {
    param($Request, $State)
    if ($State.Fail) {
        return @{ Status = 403; Body = @{ Code = $State.Fail; Message = 'You are not authorized to do this action.'; RequestId = 'FIXTURE-ERR' } }
    }
    switch ($Request.Query.Action) {
        'GetCallerIdentity' {
            @{ Body = @{ AccountId = $State.AccountId; Arn = "acs:ram::$($State.AccountId):root"; IdentityType = 'Account'; RequestId = 'FIXTURE-GCI' } }
        }
        { $_ -in 'AssumeRole', 'AssumeRoleWithOIDC' } {
            $credential = New-FixtureCredential $State 'sts'
            @{ Body = @{ RequestId = 'FIXTURE-AR'; AssumedRoleUser = @{ Arn = "$($Request.Form.RoleArn)/$($Request.Form.RoleSessionName)" }; Credentials = $credential } }
        }
        default { @{ Status = 400; Body = @{ Code = 'InvalidAction'; Message = "unknown action $_" } } }
    }
}

# ECS instance metadata: IMDSv2 token ($State.Token; $State.NoTokens = $true answers 403 to the token PUT),
# the role name ($State.RoleName) and its credential.
$script:ImdsHandler = {
    param($Request, $State)
    if ($Request.Method -eq 'PUT' -and $Request.Path -eq '/latest/api/token') {
        if ($State.NoTokens) { return @{ Status = 403; Body = '' } }
        if (-not $Request.Headers['X-aliyun-ecs-metadata-token-ttl-seconds']) { return @{ Status = 400; Body = 'missing ttl' } }
        return @{ Body = $State.Token; ContentType = 'text/plain' }
    }
    if (-not $State.NoTokens -and $Request.Headers['X-aliyun-ecs-metadata-token'] -ne $State.Token) { return @{ Status = 401; Body = '' } }
    switch ($Request.Path) {
        '/latest/meta-data/ram/security-credentials/' { @{ Body = $State.RoleName; ContentType = 'text/plain' } }
        "/latest/meta-data/ram/security-credentials/$($State.RoleName)" {
            $credential = New-FixtureCredential $State 'ecs'
            $credential.Code = 'Success'
            $credential.LastUpdated = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
            @{ Body = $credential }
        }
        default { @{ Status = 404; Body = '' } }
    }
}

# A credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI): Code "Success" and a temporary credential, as the official libraries
# and the aliyun CLI README describe it; $State.Fail = an HTTP status to answer instead.
$script:CredentialsUriHandler = {
    param($Request, $State)
    if ($State.Fail) { return @{ Status = $State.Fail; Body = @{ Message = 'the fixture fails on purpose' } } }
    $credential = New-FixtureCredential $State 'uri'
    $credential.Code = 'Success'
    @{ Body = $credential }
}

function New-FcTestCredentialCommand {
    # A process_command (aliyun CLI mode External) for the platform's shell: it counts its runs in a file, may write to its
    # standard error, prints $Json and exits with $ExitCode. Returns the command line and the counter file.
    param([Parameter(Mandatory)] [string] $Directory, [Parameter(Mandatory)] [string] $Name, [string] $Json = '', [string] $StandardError, [int] $ExitCode = 0)
    $null = New-Item -ItemType Directory -Force -Path $Directory
    $jsonPath = Join-Path $Directory "$Name.json"
    Set-Content -Path $jsonPath -Value $Json -NoNewline
    $counter = Join-Path $Directory "$Name.runs"
    if ($IsWindows) {
        $path = Join-Path $Directory "$Name.cmd"
        $lines = @('@echo off', "echo run>>`"$counter`"")
        if ($StandardError) { $lines += "echo $StandardError 1>&2" }
        $lines += "type `"$jsonPath`"", "exit /b $ExitCode"
        Set-Content -Path $path -Value ($lines -join "`r`n")
        $command = "cmd.exe /d /c `"$path`""
    }
    else {
        $path = Join-Path $Directory "$Name.sh"
        $lines = @("echo run >> '$counter'")
        if ($StandardError) { $lines += "echo '$StandardError' >&2" }
        $lines += "cat '$jsonPath'", "exit $ExitCode"
        Set-Content -Path $path -Value ($lines -join "`n")
        $command = "/bin/sh '$path'"
    }
    [pscustomobject]@{ Command = $command; Counter = $counter; Script = $path }
}

function Get-FcTestCommandRuns($Command) {
    if (Test-Path $Command.Counter) { @(Get-Content -Path $Command.Counter).Count } else { 0 }
}

function Get-FcTestStreams {
    # Everything a script block writes to any stream, error records in full; quiet (nothing reaches the host).
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    & $ScriptBlock *>&1 | ForEach-Object {
        $_
        if ($_ -is [Management.Automation.ErrorRecord]) { $_ | Format-List * -Force; $_.Exception | Format-List * -Force }
    } | Out-String -Width 400
}

function Get-FcTestRpcSignature {
    # Signature V1 recomputed independently of the module: HMAC-SHA1 over
    # POST&%2F&enc(sorted name=value pairs of query and form without Signature), key secret + '&'.
    param([hashtable] $Parameters, [string] $Secret)
    $names = [string[]]@($Parameters.Keys | Where-Object { $_ -ne 'Signature' })
    [Array]::Sort($names, [StringComparer]::Ordinal)
    $canonical = ($names | ForEach-Object { [uri]::EscapeDataString($_) + '=' + [uri]::EscapeDataString($Parameters[$_]) }) -join '&'
    $hmac = [Security.Cryptography.HMACSHA1]::new([Text.Encoding]::UTF8.GetBytes($Secret + '&'))
    [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes('POST&%2F&' + [uri]::EscapeDataString($canonical))))
}
