# Get-FcFunction / Get-FcService against the emulator: get, list, wildcards, paging, errors, and piping into Invoke-FcFunction.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $functions = @{
        'hello' = { # Says hello
            param($Event) "hello $Event" }
        'svc/a' = { 'a' }; 'svc/b' = { 'b' }; 'other/c' = { 'c' }
    }
    foreach ($i in 1..7) { $functions["job-$i"] = { param($Event) "ran with [$Event]" } }
    $script:emu = Start-FcEmulator -Function $functions -Alias @{ hello = 'prod' }
    $script:conn = Get-FcTestConnection $emu
    function Get-Requests { param([string] $Like) @($emu.RecentRequests | Where-Object { "$($_.Path)?$($_.Query)" -like $Like }) }
}

AfterAll { $emu | Stop-FcEmulator }

Describe 'Get-FcFunction' {
    It 'gets one FC 3.0 function with the fields a runbook needs' {
        $f = Get-FcFunction hello @conn
        $f | Should -BeOfType ([FcInvoke.FcFunctionInfo])
        $f.FunctionName | Should -Be 'hello'
        $f.ServiceName | Should -BeNullOrEmpty
        $f.Runtime | Should -Be 'powershell'
        $f.Timeout | Should -Be 60
        $f.MemorySize | Should -Be 512
        $f.Description | Should -Be 'Says hello'
        $f.LastModifiedTime | Should -BeOfType ([DateTimeOffset])
        $f.ApiVersion | Should -Be '2023-03-30'
        (Get-Requests '/2023-03-30/functions/hello?').Count | Should -BeGreaterThan 0
    }

    It 'lists FC 3.0 functions only, and FC 2.0 functions per service' {
        (Get-FcFunction @conn).FunctionName | Should -Be @('hello', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6', 'job-7')
        $v2 = Get-FcFunction -ServiceName svc @conn
        $v2.FunctionName | Should -Be @('a', 'b')
        $v2.ServiceName | Should -Be @('svc', 'svc')
        $v2[0].ApiVersion | Should -Be '2021-04-06'
        $v2[0].LastModifiedTime | Should -Not -BeNullOrEmpty
    }

    It 'sends the literal prefix of a wildcard to FC and matches the rest itself' {
        Reset-FcTestEmulator $emu
        (Get-FcFunction 'job-[13]' @conn).FunctionName | Should -Be @('job-1', 'job-3')
        (Get-Requests '/2023-03-30/functions?*prefix=job-*').Count | Should -Be 1
    }

    It 'follows nextToken across pages' {
        Reset-FcTestEmulator $emu
        (Get-FcFunction 'job-*' -PageSize 3 @conn).Count | Should -Be 7
        (Get-Requests '/2023-03-30/functions?*').Count | Should -Be 3
    }

    It 'stops asking FC once -First is satisfied, and honours -Skip' {
        Reset-FcTestEmulator $emu
        (Get-FcFunction 'job-*' -First 2 -Skip 1 -PageSize 100 @conn).FunctionName | Should -Be @('job-2', 'job-3')
        $requests = Get-Requests '/2023-03-30/functions?*'
        $requests.Count | Should -Be 1
        $requests[0].Query | Should -Match 'limit=3'
    }

    It 'reports the total count, last, with -IncludeTotalCount' {
        $out = Get-FcFunction 'job-*' -IncludeTotalCount @conn
        "$($out[-1])" | Should -Match '\b7\b'
        @($out | Where-Object { $_ -is [FcInvoke.FcFunctionInfo] }).Count | Should -Be 7
    }

    It 'writes a non-terminating ObjectNotFound error for a missing function and goes on' {
        $found = Get-FcFunction missing, hello @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $found.FunctionName | Should -Be 'hello'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FcServiceError,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'missing'
        $err[0].Exception.ErrorCode | Should -Be 'FunctionNotFound'
    }

    It 'rejects an invalid name before sending anything' {
        Reset-FcTestEmulator $emu
        { Get-FcFunction '9bad' @conn -ErrorAction Stop } | Should -Throw -ErrorId 'FcInvalidName,FcInvoke.Commands.GetFcFunctionCommand'
        $emu.RequestCount | Should -Be 0
    }
}

Describe 'Get-FcService' {
    It 'lists and gets FC 2.0 services' {
        (Get-FcService @conn).ServiceName | Should -Be @('other', 'svc')
        (Get-FcService svc @conn).ServiceName | Should -Be 'svc'
        (Get-FcService 's*' @conn).ServiceName | Should -Be 'svc'
    }

    It 'reports a missing service as ObjectNotFound' {
        Get-FcService nope @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.ErrorCode | Should -Be 'ServiceNotFound'
    }

    It 'pipes into Get-FcFunction, which lists each service''s functions' {
        $all = Get-FcService @conn | Get-FcFunction @conn
        ($all | ForEach-Object { "$($_.ServiceName)/$($_.FunctionName)" }) | Should -Be @('other/c', 'svc/a', 'svc/b')
    }
}

Describe 'Piping functions into Invoke-FcFunction' {
    It 'invokes each piped function once, with no payload (the object is not the event)' {
        Reset-FcTestEmulator $emu
        $results = Get-FcFunction 'job-[12]' @conn | Invoke-FcFunction @conn
        $results.Result | Should -Be @('ran with []', 'ran with []')
        $emu.ExecutionCounts['job-1'] | Should -Be 1
        $emu.ExecutionCounts['job-2'] | Should -Be 1
        ($emu.RecentRequests | Where-Object Path -like '*/invocations').BodyLength | Should -Be @(0, 0)
    }

    It 'sends the -Payload given on the command line to every piped function' {
        (Get-FcFunction 'job-1' @conn | Invoke-FcFunction -Payload 'x' @conn).Result | Should -Be 'ran with [x]'
    }

    It 'carries -Qualifier and the FC 2.0 service through the pipe' {
        $r = Get-FcFunction a -ServiceName svc -Qualifier live @conn | Invoke-FcFunction @conn
        $r.ServiceName | Should -Be 'svc'
        $r.Qualifier | Should -Be 'live'
        ($emu.RecentRequests | Where-Object RequestId -eq $r.RequestId).Path | Should -Be '/2021-04-06/services/svc/functions/a/invocations'
    }

    It 'accepts a piped invocation result''s names (empty ServiceName means FC 3.0)' {
        $first = Invoke-FcFunction hello -Payload 'x' @conn
        $first.ServiceName | Should -Be ''
        $again = $first | Select-Object FunctionName, ServiceName, Qualifier | Invoke-FcFunction @conn
        $again.ApiVersion | Should -Be '2023-03-30'
    }
}
