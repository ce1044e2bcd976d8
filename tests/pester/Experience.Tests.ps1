# What a user sees and types: format views, ResultObject, argument completion, -WhatIf.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{
        'hello'       = { param($Event) @{ greeting = "hi $Event"; count = 3; nested = @{ ok = $true } } }
        'text'        = { 'plain text, not JSON' }
        'svc/worker'  = { 'w' }
        'svc/watcher' = { 'w' }
    } -Alias @{ hello = 'prod', 'staging'; 'svc/worker' = 'live' }
    $script:conn = Get-FcTestConnection $emu
    # Completion sees the values of variables typed on the command line (fakeBoundParameters).
    $global:fcTestEndpoint = $emu.Endpoint
    $global:fcTestCredential = $emu.Credential
    function Complete-FcTest {
        param([string] $Line)
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}

AfterAll {
    $emu | Stop-FcEmulator
    Remove-Variable fcTestEndpoint, fcTestCredential -Scope Global -ErrorAction SilentlyContinue
}

Describe 'Format views and type members' {
    It 'has a table view and a list view for every output type of every cmdlet' {
        $types = (Get-Module FcInvoke).ExportedCmdlets.Values | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ } | Sort-Object FullName -Unique
        $types.Count | Should -BeGreaterThan 2
        foreach ($type in $types) {
            $views = (Get-FormatData -TypeName $type.FullName).FormatViewDefinition.Control | ForEach-Object { $_.GetType().Name }
            $views | Should -Contain 'TableControl' -Because "$($type.FullName) needs a table view"
            $views | Should -Contain 'ListControl' -Because "$($type.FullName) needs a list view"
        }
    }

    It 'shows an invocation as function, status code, duration and its result; the list adds the request id' {
        # Changed with issue 14: the labels are the property names (Views.Tests.ps1 renders every view at 80 and 120 columns).
        $r = Invoke-FcFunction hello -Payload ('x' * 100) @conn
        $table = ($r | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
        $table[0] | Should -Match '^Function\s+StatusCode\s+Duration\s+Result\s*$'
        $table[2] | Should -Match "^hello\s+200\s+\d+ ms\s+\{.*`"greeting`":`"hi x+`""
        ($r | Format-List | Out-String) | Should -Match ('RequestId\s+: ' + [regex]::Escape($r.RequestId))
    }

    It 'shows functions as function, FC version, runtime, timeout, memory and description' {
        $text = Get-FcFunction hello @conn | Out-String -Width 200
        $text | Should -Match 'Function\s+FcVersion\s+Runtime\s+Timeout\s+MemorySize\s+Description'
        $text | Should -Match 'hello\s+3\.0\s+powershell\s+60 s\s+512 MB\s+'
    }

    It 'parses Result as JSON once into ResultObject' {
        $r = Invoke-FcFunction hello -Payload 'x' @conn
        $r.ResultObject.greeting | Should -Be 'hi x'
        $r.ResultObject.count | Should -BeOfType ([long])
        $r.ResultObject.nested.ok | Should -BeTrue
        [object]::ReferenceEquals($r.ResultObject, $r.ResultObject) | Should -BeTrue
    }

    It 'gives the text itself as ResultObject when the result is not JSON, and $null when it is empty' {
        (Invoke-FcFunction text @conn).ResultObject | Should -Be 'plain text, not JSON'
        (Invoke-FcFunction hello -InvocationType Async @conn).ResultObject | Should -BeNullOrEmpty
    }
}

Describe 'Argument completion' {
    BeforeEach { Clear-FcTestCompletionCache }

    It 'completes -Region from the FC regions, offline' {
        Complete-FcTest 'Invoke-FcFunction -Region ap-southeast-' | Should -Contain 'ap-southeast-1'
        Complete-FcTest 'Get-FcFunction -Region cn-sh' | Should -Be @('cn-shanghai', 'cn-shanghai-finance-1', 'cn-shenzhen')
    }

    It 'completes -FunctionName from the account, using the connection typed on the command line' {
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -FunctionName ' | Should -Be @('hello', 'text')
        Complete-FcTest 'Get-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -FunctionName he' | Should -Be 'hello'
    }

    It 'completes FC 2.0 -ServiceName, and -FunctionName within the service' {
        Complete-FcTest 'Get-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -ServiceName ' | Should -Be 'svc'
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -ServiceName svc -FunctionName w' | Should -Be @('watcher', 'worker')
    }

    It 'completes -Qualifier with LATEST, the aliases and the versions of the function' {
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -FunctionName hello -Qualifier ' |
            Should -Be @('1', 'LATEST', 'prod', 'staging')
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -ServiceName svc -FunctionName worker -Qualifier l' |
            Should -Be @('LATEST', 'live')
    }

    It 'completes -Status of Get-FcAsyncTask with the task states, and the task cmdlets'' -FunctionName from FC' {
        Complete-FcTest 'Get-FcAsyncTask hello -Status S' | Sort-Object | Should -Be @('Stopped', 'Stopping', 'Succeeded')
        Complete-FcTest 'Wait-FcAsyncTask -Endpoint $fcTestEndpoint -Credential $fcTestCredential -FunctionName h' | Should -Be 'hello'
    }

    It 'uses the session default connection from the environment when nothing is typed' {
        $saved = @{ id = $env:ALIBABA_CLOUD_ACCESS_KEY_ID; secret = $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET }
        try {
            $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $emu.Credential.UserName
            $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = Get-FcTestSecret $emu
            Complete-FcTest 'Get-FcFunction -Endpoint $fcTestEndpoint -FunctionName t' | Should -Be 'text'
        }
        finally {
            $env:ALIBABA_CLOUD_ACCESS_KEY_ID = $saved.id; $env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = $saved.secret
        }
    }

    It 'caches answers: a second completion sends nothing' {
        $line = 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential $fcTestCredential -FunctionName '
        $null = Complete-FcTest $line
        $count = $emu.RequestCount
        Complete-FcTest ($line + 'te') | Should -Be 'text'
        $emu.RequestCount | Should -Be $count
    }

    It 'offers nothing, silently, without credentials' {
        $Error.Clear()
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -FunctionName ' | Should -BeNullOrEmpty
        $Error.Count | Should -Be 0
    }

    It 'offers nothing, silently, when FC cannot be reached or refuses' {
        $dead = Start-FcEmulator
        $global:fcTestDead = $dead.Endpoint
        $dead | Stop-FcEmulator
        $Error.Clear()
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestDead -Credential $fcTestCredential -FunctionName ' | Should -BeNullOrEmpty
        Complete-FcTest 'Invoke-FcFunction -Endpoint $fcTestEndpoint -Credential (New-Object pscredential ''LTAIwrong'', (ConvertTo-SecureString x -AsPlainText -Force)) -FunctionName ' | Should -BeNullOrEmpty
        $Error.Count | Should -Be 0
    }

    It 'gives up within its time budget, silently, when FC never answers' {
        # The server holds the lookup unanswered: completion can only come back by abandoning it (its own 1.5 s budget),
        # and the client closing the connection shows it did. It runs in a runspace of its own, so that a completion that
        # hung would fail this test at the 30 s hang guard instead of hanging the run.
        $server = Start-FcTestHoldingServer
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($ModulePath, $Endpoint, $Credential)
                Import-Module $ModulePath
                $global:fcTestHolding = $Endpoint; $global:fcTestCredential = $Credential
                $line = 'Invoke-FcFunction -Endpoint $fcTestHolding -Credential $fcTestCredential -FunctionName '
                $Error.Clear()
                @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches).Count
                $Error.Count
            }).AddArgument($FcTestModulePath).AddArgument($server.Endpoint).AddArgument($emu.Credential)
            $running = $ps.BeginInvoke()
            $running.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'completion returned (30 s hang guard)'
            $found, $errors = $ps.EndInvoke($running)
            $found | Should -Be 0
            $errors | Should -Be 0
            $server.Requests | Should -HaveCount 1
            Wait-FcTestCondition { @($server.Requests | Where-Object Closed).Count -ge 1 } -Because 'the lookup was abandoned'
        }
        finally {
            $ps.Dispose()
            $server | Stop-FcTestHoldingServer
        }
    }
}

Describe 'Invoke-FcFunction -WhatIf' {
    It 'shows the exact signed request, redacted, and sends nothing' {
        Reset-FcTestEmulator $emu
        $text = Get-FcTestHostOutput {
            $written = Invoke-FcFunction hello -ServiceName svc -Qualifier prod -Payload '{"k":"v"}' -WhatIf @conn
            "objects written: $(@($written).Count)"
        }
        $text | Should -Match 'objects written: 0'
        $emu.RequestCount | Should -Be 0
        $text | Should -Match ([regex]::Escape("POST $($emu.Endpoint)2021-04-06/services/svc/functions/hello/invocations?qualifier=prod"))
        $text | Should -Match 'authorization: ACS3-HMAC-SHA256 Credential=\*+\w{4},SignedHeaders=[a-z0-9;-]+,Signature=<redacted>'
        $text | Should -Match 'x-acs-action: InvokeFunction'
        $text | Should -Match 'x-fc-invocation-type: Sync'
        $text | Should -Match 'body: 9 bytes'
        $text | Should -Not -Match ([regex]::Escape((Get-FcTestSecret $emu)))
        $text | Should -Not -Match ([regex]::Escape($emu.Credential.UserName))
    }

    It 'redacts the security token of temporary credentials' {
        $token = ConvertTo-SecureString 'sts-token-value-123' -AsPlainText -Force
        $text = Get-FcTestHostOutput { Invoke-FcFunction hello -WhatIf -SecurityToken $token @conn }
        $text | Should -Match 'x-acs-security-token: <redacted>'
        $text | Should -Not -Match 'sts-token-value-123'
    }
}
