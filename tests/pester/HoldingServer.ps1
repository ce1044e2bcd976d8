# Dot-sourced by Common.ps1.
# ---- A loopback HTTP server that holds every request unanswered (a function that never returns), for the tests of
# ---- cancellation: it sees when the client closes a held connection, which is the direct evidence of an abandoned call.
$script:FcTestHoldingServerLoop = {
    param($Listener, $Shared)
    $buffer = [byte[]]::new(65536)
    $connections = [Collections.Generic.List[hashtable]]::new()
    function Read-HeldRequest($Connection) {
        # The next complete request on the connection, or $null while it is still arriving.
        $data = $Connection.Data.ToArray()
        $text = [Text.Encoding]::Latin1.GetString($data)
        $end = $text.IndexOf("`r`n`r`n")
        if ($end -lt 0) { return $null }
        $head = $text.Substring(0, $end) -split "`r`n"
        $length = 0
        foreach ($line in $head) { if ($line -match '^content-length:\s*(\d+)') { $length = [int]$Matches[1] } }
        if ($data.Length -lt $end + 4 + $length) { return $null }
        $method, $target = $head[0] -split ' '
        $body = [Text.Encoding]::UTF8.GetString($data, $end + 4, $length)
        $Connection.Data = [IO.MemoryStream]::new()
        $Connection.Data.Write($data, $end + 4 + $length, $data.Length - ($end + 4 + $length))
        [hashtable]::Synchronized(@{ Method = $method; Path = $target; Body = $body; Answered = $false; Closed = $false })
    }
    while (-not $Shared.Stopping) {
        $readable = [Collections.Generic.List[Net.Sockets.Socket]]::new()
        $readable.Add($Listener.Server)
        foreach ($c in $connections) { $readable.Add($c.Socket) }
        [Net.Sockets.Socket]::Select($readable, $null, $null, 50000)  # 50 ms: also the pace of the deferred answers below
        foreach ($socket in $readable) {
            if ($socket -eq $Listener.Server) {
                $connections.Add(@{ Socket = $Listener.AcceptSocket(); Data = [IO.MemoryStream]::new(); Held = $null })
                continue
            }
            $connection = $null
            foreach ($c in $connections) { if ($c.Socket -eq $socket) { $connection = $c } }
            $n = try { $socket.Receive($buffer) } catch { 0 }
            if ($n -le 0) {
                # The client closed the connection (or reset it) while its request was held: the call was abandoned.
                if ($connection.Held) { $connection.Held.Closed = $true }
                $socket.Close()
                $null = $connections.Remove($connection)
                continue
            }
            $connection.Data.Write($buffer, 0, $n)
            while ($request = Read-HeldRequest $connection) {
                $null = $Shared.Requests.Add($request)
                $connection.Held = $request
            }
        }
        # A request whose body is a key of Answers gets that answer, once at least Answers[body].After requests arrived.
        foreach ($c in $connections) {
            $request = $c.Held
            if (-not $request -or -not $Shared.Answers.ContainsKey($request.Body)) { continue }
            $answer = $Shared.Answers[$request.Body]
            if ($Shared.Requests.Count -lt [int]$answer.After) { continue }
            $body = [Text.Encoding]::UTF8.GetBytes([string]$answer.Body)
            $head = "HTTP/1.1 $($answer.Status) Answer`r`nContent-Type: application/json`r`nContent-Length: $($body.Length)`r`n" +
                    "x-fc-request-id: held-$($Shared.Requests.IndexOf($request))`r`n"
            foreach ($header in $answer.Headers.GetEnumerator()) { $head += "$($header.Key): $($header.Value)`r`n" }
            $null = $c.Socket.Send([Text.Encoding]::ASCII.GetBytes($head + "`r`n") + $body)
            $request.Answered = $true
            $c.Held = $null
        }
    }
    foreach ($c in $connections) { $c.Socket.Close() }
}

function Start-FcTestHoldingServer {
    # Starts the holding server on 127.0.0.1. -Answers: request body -> @{ Status; Body; Headers; After } for the requests
    # that do get an answer (once at least After requests arrived). Requests: what arrived, in order, each with Method,
    # Path, Body, Answered and Closed (the client closed its connection while the request was held).
    param([hashtable] $Answers = @{})
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $shared = [hashtable]::Synchronized(@{
        Requests = [Collections.ArrayList]::Synchronized([Collections.ArrayList]::new()); Answers = $Answers; Stopping = $false
    })
    $ps = [powershell]::Create()
    $null = $ps.AddScript($script:FcTestHoldingServerLoop.ToString()).AddArgument($listener).AddArgument($shared)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{
        Endpoint = [uri]"http://127.0.0.1:$($listener.LocalEndpoint.Port)/"; Requests = $shared.Requests
        Shared = $shared; Listener = $listener; PowerShell = $ps; Handle = $handle
    }
}

function Stop-FcTestHoldingServer {
    param([Parameter(ValueFromPipeline)] $Server)
    process {
        if (-not $Server) { return }
        $Server.Shared.Stopping = $true
        $null = $Server.Handle.AsyncWaitHandle.WaitOne(10000)
        $Server.Listener.Stop()
        $failure = $Server.PowerShell.Streams.Error | Select-Object -First 1
        $Server.PowerShell.Dispose()
        if ($failure) { throw "The holding server failed: $failure" }
    }
}

function Get-FcTestHoldingConnection {
    # Invoke-FcFunction's connection parameters for a holding server (it checks no signature).
    param([Parameter(Mandatory)] $Server)
    @{ Endpoint = $Server.Endpoint; AccountId = '1234567890'; Credential = [pscredential]::new('LTAIholding', (ConvertTo-SecureString 'not-checked' -AsPlainText -Force)) }
}
