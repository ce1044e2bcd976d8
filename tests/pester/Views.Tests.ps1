# The default views as a user sees them at 80 (and 79), 120 and 200 columns, and their labels as properties (issue 14).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/CredentialFixtures.ps1
    $script:longError = 'the disk of the build host is full and nothing could be written to the output folder of the job'
    $script:emu = Start-FcEmulator -Function @{
        'echo'            = { param($Event) $Event }
        'fail'            = { param($Event) throw $Event }
        'ops/resize-disk' = { param($Event) "resized to $Event GB" }
        'web'             = { param($Event) @{ StatusCode = 201; Headers = @{ 'Content-Type' = 'application/json' }; Body = @{ orderId = 42; note = 'x' * 200 } } }
    } -Alias @{ echo = 'prod' } -HttpTrigger @{ web = 'anonymous' }
    $script:conn = Get-FcTestConnection $emu
    $script:sts = Start-FcTestHttpFixture -Handler $StsHandler -State @{ Emulator = $emu; AccountId = $emu.AccountId }

    $script:sync = Invoke-FcFunction echo -Payload @{ orderId = 42; note = 'x' * 200 } @conn
    $script:async = Invoke-FcFunction echo 'later' -InvocationType Async @conn
    Invoke-FcFunction fail $longError @conn -ErrorVariable failed -ErrorAction SilentlyContinue
    $script:functionError = $failed[0].Exception.Result
    $script:tasks = @(
        Invoke-FcFunction fail $longError -AsyncTaskId 'nightly-export-2026-11-24-eu' @conn
        Invoke-FcFunction echo 'fine' -InvocationType Async @conn   # FC generates the id: a GUID
    ) | Wait-FcAsyncTask @conn -TimeoutSec 60
    $script:http = Invoke-FcHttpTrigger web /orders -Body @{ orderId = 42 } @conn
    $script:httpAsync = Invoke-FcHttpTrigger web -Body 'later' -AsyncTaskId 'http-export-2026-11-24-eu' @conn
    $script:functions = Get-FcFunction -All @conn
    $script:services = Get-FcService @conn
    $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
    $script:context = Connect-FcAccount -Credential $emu.Credential -RamRoleArn "acs:ram::$($emu.AccountId):role/fc-invoker" -Endpoint $emu.Endpoint -Region $emu.Region
    Disconnect-FcAccount

    function Show-FcTest {
        # The object as PowerShell shows it by default at a width: its table view.
        param($InputObject, [int] $Width)
        $text = $InputObject | Out-String -Width $Width
        @($text -split "`r?`n" | Where-Object { $_.Trim() })
    }

    function Assert-FcTable {
        # The header is one line with every label whole (PowerShell writes a label that does not fit one letter per
        # line), no line is wider than the terminal, and the values named are shown whole.
        param($InputObject, [int] $Width, [string[]] $Labels, [string[]] $Whole = @())
        $lines = Show-FcTest $InputObject $Width
        $lines[1] | Should -Match '^[\s-]+$' -Because "the header of $Labels at $Width columns is one line"
        $headers = $lines[0] -split '\s+' | Where-Object { $_ }
        $headers | Should -Be $Labels -Because "every column is shown with its whole label at $Width columns"
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width }
        $body = ($lines | Select-Object -Skip 2) -join "`n"
        foreach ($value in $Whole) { $body | Should -Match ([regex]::Escape($value)) -Because "'$value' is shown whole at $Width columns" }
        $lines
    }
}

AfterAll {
    Disconnect-FcAccount
    $sts | Stop-FcTestHttpFixture
    $emu | Stop-FcEmulator
    Remove-Item env:ALIBABA_CLOUD_STS_ENDPOINT -ErrorAction SilentlyContinue
}

# An 80-column console leaves its last column empty, so PowerShell formats for 79: both are checked.
Describe 'Tables at 80, 120 and 200 columns' -ForEach @(@{ Width = 79 }, @{ Width = 80 }, @{ Width = 120 }, @{ Width = 200 }) {
    It 'shows a synchronous result with its function, status code, duration and result (cut at its end), at <Width> columns' {
        $lines = Assert-FcTable $sync $Width 'Function', 'StatusCode', 'Duration', 'Result' -Whole 'echo', '200'
        $lines[2] | Should -Match '^echo\s+200\s+\d+ ms\s+\{'
        $lines[2] | Should -Match '…$' -Because 'a long result is cut with an ellipsis at its end'
    }

    It 'shows an asynchronous result with its task id whole, at <Width> columns' {
        $lines = Assert-FcTable $async $Width 'Function', 'StatusCode', 'AsyncTaskId' -Whole '202', $async.AsyncTaskId
        $lines[2] | Should -Match "^echo\s+202\s+$([regex]::Escape($async.AsyncTaskId))\s*$"
    }

    It 'shows a failed function''s result with its error type and message, at <Width> columns' {
        $lines = Assert-FcTable $functionError $Width 'Function', 'ErrorType', 'Duration', 'ErrorMessage' -Whole 'UnhandledInvocationError'
        $lines[2] | Should -Match '^fail\s+UnhandledInvocationError\s+\d+ ms\s+the disk of the build'
    }

    It 'shows tasks with their id, function, status, duration and error, at <Width> columns' {
        $lines = Assert-FcTable ($tasks | Sort-Object TaskId) $Width 'TaskId', 'Function', 'Status', 'Duration', 'ErrorMessage' -Whole 'Succeeded', 'Failed', 'nightly-export-2026-11-24-eu'
        $failedRow = $lines | Where-Object { $_ -match '^nightly-export' }
        $failedRow | Should -Match '^nightly-export-2026-11-24-eu\s+fail\s+Failed\s+\d+ ms\s+the disk of'
        if ($Width -lt 150) { $failedRow | Should -Match '…$' } else { $failedRow | Should -Match 'output folder of the job$' }
    }

    It 'shows functions of both FC versions with a column that tells them apart, at <Width> columns' {
        $lines = Assert-FcTable $functions $Width 'Function', 'FcVersion', 'Runtime', 'Timeout', 'MemorySize', 'Description' -Whole 'ops/resize-disk', '60 s', '512 MB'
        $lines | Where-Object { $_ -match '^ops/resize-disk\s+2\.0\s+' } | Should -HaveCount 1
        $lines | Where-Object { $_ -match '^echo\s+3\.0\s+' } | Should -HaveCount 1
    }

    It 'shows an HTTP trigger''s answer with its status code, method, time and content (cut at its end), at <Width> columns' {
        $lines = Assert-FcTable $http $Width 'StatusCode', 'Method', 'Elapsed', 'Content' -Whole '201', 'POST'
        $lines[2] | Should -Match '^\s+201 POST\s+\d+ ms\s+\{'
        $lines[2] | Should -Match '…$' -Because 'a long content is cut with an ellipsis at its end'
    }

    It 'shows an asynchronous HTTP trigger call with its task id whole, at <Width> columns' {
        $lines = Assert-FcTable $httpAsync $Width 'StatusCode', 'Method', 'AsyncTaskId' -Whole '202', 'http-export-2026-11-24-eu'
        $lines[2] | Should -Match '^\s+202 POST\s+http-export-2026-11-24-eu\s*$'
    }

    It 'shows services, at <Width> columns' {
        Assert-FcTable $services $Width 'ServiceName', 'InternetAccess', 'LastModifiedTime', 'Description' -Whole 'ops' | Out-Null
    }

    It 'shows a context with its endpoint whole and its expiration, at <Width> columns' {
        $endpoint = $emu.Endpoint.OriginalString -replace '^http://' -replace '/$'
        $lines = Assert-FcTable $context $Width 'Source', 'AccessKeyId', 'AccountId', 'Region', 'Expiration', 'Endpoint' -Whole $endpoint, $emu.AccountId, 'cn-hangzhou'
        $lines[2] | Should -Match '\d{2}-\d{2} \d{2}:\d{2}' -Because 'a temporary credential shows when it expires'
    }

    It 'shows an emulator and the requests it received, status codes whole, at <Width> columns' {
        Assert-FcTable $emu $Width 'Endpoint', 'IsRunning', 'RequestCount', 'Functions' -Whole $emu.Endpoint.OriginalString, 'True' | Out-Null
        $requests = $emu.RecentRequests | Where-Object Path -like '*/invocations' | Select-Object -First 4
        $lines = Assert-FcTable $requests $Width 'Time', 'Method', 'StatusCode', 'Path' -Whole '202', '200', '/2023-03-30/functions/echo/invocations'
        $lines | Where-Object { $_ -match '\s202\s+/2023-03-30/functions/echo/invocations\s*$' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Every column label is a property' {
    It 'names a property of its type in every table view, so Select-Object, Sort-Object and Where-Object take it' {
        $views = foreach ($name in 'FcInvoke.FcInvocationResult', 'FcInvoke.FcInvocationResult#Async', 'FcInvoke.FcInvocationResult#FunctionError',
                                   'FcInvoke.FcAsyncTask', 'FcInvoke.FcFunctionInfo', 'FcInvoke.FcServiceInfo', 'FcInvoke.FcContext',
                                   'FcInvoke.FcHttpResponse', 'FcInvoke.FcHttpResponse#Async',
                                   'FcInvoke.Emulator.FcEmulator', 'FcInvoke.Emulator.FcEmulatorRequest') {
            $type = [type]($name -replace '#.*$')
            foreach ($view in (Get-FormatData -TypeName $name).FormatViewDefinition | Where-Object { $_.Control -is [Management.Automation.TableControl] }) {
                [pscustomobject]@{ Name = $name; Type = $type; Labels = @($view.Control.Headers.Label) }
            }
        }
        $views | Should -HaveCount 11
        foreach ($view in $views) {
            foreach ($label in $view.Labels) {
                $view.Type.GetProperty($label) | Should -Not -BeNullOrEmpty -Because "the column '$label' of $($view.Name) must be a property"
            }
        }
    }

    It 'gives each the type a user expects: durations sort as durations, status codes compare as numbers' {
        $results = 1..4 | ForEach-Object { Invoke-FcFunction echo "$_" @conn }
        $results[0].Duration | Should -BeOfType ([TimeSpan])
        $results[0].StatusCode | Should -BeOfType ([int])
        $tasks[0].Duration | Should -BeOfType ([TimeSpan])
        $sorted = @($results + $sync) | Sort-Object Duration
        $ms = $sorted.Duration.TotalMilliseconds
        $ms | Should -Be ($ms | Sort-Object)
        @($results + $async) | Where-Object StatusCode -ne 200 | Should -Be $async
        ($results | Select-Object Function, StatusCode, Duration)[0].Function | Should -Be 'echo'
        ($tasks | Where-Object Status -eq 'Failed').TaskId | Should -Be 'nightly-export-2026-11-24-eu'
    }

    It 'keeps "Status" for a task''s state only; a result''s HTTP status is StatusCode' {
        [FcInvoke.FcInvocationResult].GetProperty('Status') | Should -BeNullOrEmpty
        [FcInvoke.FcAsyncTask].GetProperty('StatusCode') | Should -BeNullOrEmpty
        $tasks[0].Status | Should -BeIn 'Succeeded', 'Failed'
    }
}

Describe 'List views show everything' {
    It 'lists every property of <Name> but the bulky ones named here' -ForEach @(
        @{ Name = 'a result'; Get = { $sync }; Skip = 'RawResult', 'ResultObject', 'Headers', 'IsFunctionError' }
        @{ Name = 'a task'; Get = { $tasks[0] }; Skip = 'IsTerminal' }
        @{ Name = 'a function'; Get = { $functions[0] }; Skip = 'Json' }
        @{ Name = 'a service'; Get = { $services[0] }; Skip = 'Json' }
        @{ Name = 'a context'; Get = { $context }; Skip = @() }
        @{ Name = 'an HTTP trigger''s answer'; Get = { $http }; Skip = 'RawContent', 'ContentObject', 'Headers' }
        @{ Name = 'an emulator'; Get = { $emu }; Skip = 'Credential', 'RecentRequests', 'ExecutionCounts', 'InputExecutionCounts', 'OperationCounts' }
    ) {
        $object = & $Get
        $shown = ($object | Format-List | Out-String -Width 200) -split "`r?`n" | ForEach-Object { if ($_ -match '^(\w+)\s+:') { $Matches[1] } }
        $expected = $object.GetType().GetProperties().Name | Where-Object { $_ -notin $Skip }
        foreach ($property in $expected) { $shown | Should -Contain $property -Because "the list view of $Name shows $property" }
    }
}
