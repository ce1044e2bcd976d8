@{
    RootModule           = 'FcInvoke.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'ccc58a2f-caa5-4f11-94c0-c5a596614f07'
    Author               = 'FcInvoke contributors'
    CompanyName          = 'FcInvoke'
    Copyright            = '(c) FcInvoke contributors. MIT License.'
    Description          = 'Invoke Alibaba Cloud Function Compute (FC 2.0 and 3.0) functions from PowerShell: signed sync and async invocations with logs, typed results and errors, and a local FC emulator for offline runbook testing.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('FcInvoke.Format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-FcFunction'
        'Get-FcAsyncTask'
        'Stop-FcAsyncTask'
        'Wait-FcAsyncTask'
        'Start-FcEmulator'
        'Stop-FcEmulator'
        'Get-FcEmulator'
        'Connect-FcAccount'
        'Get-FcContext'
        'Disconnect-FcAccount'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AlibabaCloud', 'Aliyun', 'FunctionCompute', 'FC', 'Serverless', 'Invoke', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
