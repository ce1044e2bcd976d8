# The one error funnel: every failure a cmdlet reports has a documented id and category, whichever cmdlet meets it.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/CredentialFixtures.ps1
    # 'hang' runs until the test releases it: a task that stays Running for as long as the test needs.
    $script:release = [Threading.ManualResetEventSlim]::new($false)
    [AppDomain]::CurrentDomain.SetData('FcInvokeFunnelRelease', $release)
    $script:emu = Start-FcEmulator -Function @{
        'hang' = { param($Event) $null = [AppDomain]::CurrentDomain.GetData('FcInvokeFunnelRelease').Wait(60000); 'released' }
    }
    $script:conn = Get-FcTestConnection $emu
    $script:sts = Start-FcTestHttpFixture -Handler $StsHandler -State @{ Emulator = $emu; AccountId = $emu.AccountId }
    $script:funnel = (Get-Command Invoke-FcFunction).ImplementingType.Assembly.GetType('FcInvoke.Commands.FcErrors')
}

AfterAll {
    Disconnect-FcAccount   # Connect-FcAccount made its context the session default; later test files must not inherit it
    $release.Set()
    $sts | Stop-FcTestHttpFixture
    $emu | Stop-FcEmulator
    [AppDomain]::CurrentDomain.SetData('FcInvokeFunnelRelease', $null)
    Remove-Item env:ALIBABA_CLOUD_STS_ENDPOINT -ErrorAction SilentlyContinue
}

Describe 'The error funnel' {
    It 'gives a failure nobody expected the id FcUnexpectedError, with the original exception inside' {
        $original = [InvalidOperationException]::new('something odd')
        $record = $funnel.GetMethod('Record').Invoke($null, @($original, 'the input', $null))
        $record.FullyQualifiedErrorId | Should -Be 'FcUnexpectedError'
        $record.CategoryInfo.Category | Should -Be 'NotSpecified'
        $record.Exception.InnerException | Should -Be $original
        $record.Exception.Message | Should -Match 'something odd'
        $record.TargetObject | Should -Be 'the input'
    }

    It 'lets PowerShell''s own control flow through untouched' {
        $isFlow = $funnel.GetMethod('IsFlowControl')
        $isFlow.Invoke($null, @([Management.Automation.PipelineStoppedException]::new())) | Should -BeTrue
        $isFlow.Invoke($null, @([InvalidOperationException]::new())) | Should -BeFalse
    }

    It 'ends Wait-FcAsyncTask with the credential source''s own id when its credential can no longer be refreshed' {
        $env:ALIBABA_CLOUD_STS_ENDPOINT = $sts.Url
        $sts.State.LifetimeSec = 2
        $ctx = Connect-FcAccount -Credential $emu.Credential -RamRoleArn "acs:ram::$($emu.AccountId):role/fc-invoker" -Endpoint $emu.Endpoint -Region $emu.Region
        $task = Invoke-FcFunction hang 'x' -InvocationType Async -AsyncTaskId 'funnel-1' -Context $ctx
        # From now on STS refuses: once the 2-second credential has expired, no request can be signed any more.
        $sts.State.Fail = 'NoPermission'
        $failure = $null
        try { $task | Wait-FcAsyncTask -Context $ctx -TimeoutSec 120 -ErrorAction Stop } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty -Because 'the wait cannot go on without credentials'
        $failure.FullyQualifiedErrorId | Should -Be 'FcStsError,FcInvoke.Commands.WaitFcAsyncTaskCommand'
        $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'

        # Get-FcAsyncTask meets the same cause with the same id.
        $same = Get-FcAsyncTask hang -TaskId 'funnel-1' -Context $ctx -ErrorAction SilentlyContinue -ErrorVariable err
        $same | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'FcStsError,FcInvoke.Commands.GetFcAsyncTaskCommand'
    }
}
