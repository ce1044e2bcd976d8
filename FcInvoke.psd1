@{
    RootModule           = 'FcInvoke.dll'
    # The emulator's cmdlets live in their own assembly, which uses FcInvoke.Core but never the cmdlet assembly.
    NestedModules        = @('FcInvoke.Emulator.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = 'ccc58a2f-caa5-4f11-94c0-c5a596614f07'
    Author               = 'FcInvoke contributors'
    CompanyName          = 'FcInvoke'
    Copyright            = '(c) FcInvoke contributors. MIT License.'
    Description          = 'Invoke Alibaba Cloud Function Compute (FC 2.0 and 3.0) functions from PowerShell: signed sync and async invocations with logs, typed results and errors, function and service discovery, tab completion, and a local FC emulator for offline runbook testing.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('FcInvoke.Format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-FcFunction'
        'Invoke-FcHttpTrigger'
        'Get-FcAsyncTask'
        'Stop-FcAsyncTask'
        'Wait-FcAsyncTask'
        'Get-FcFunction'
        'Get-FcService'
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
    # Every file the package ships; build.ps1 -Task Package and its test check the folder against this list.
    FileList             = @(
        'FcInvoke.psd1'
        'FcInvoke.dll'
        'FcInvoke.pdb'
        'FcInvoke.Core.dll'
        'FcInvoke.Core.pdb'
        'FcInvoke.Emulator.dll'
        'FcInvoke.Emulator.pdb'
        'dependencies/Microsoft.Bcl.AsyncInterfaces.dll'
        'dependencies/System.Buffers.dll'
        'dependencies/System.Memory.dll'
        'dependencies/System.Numerics.Vectors.dll'
        'dependencies/System.Runtime.CompilerServices.Unsafe.dll'
        'dependencies/System.Text.Encodings.Web.dll'
        'dependencies/System.Text.Json.dll'
        'dependencies/System.Threading.Tasks.Extensions.dll'
        'FcInvoke.Format.ps1xml'
        'en-US/FcInvoke.dll-Help.xml'
        'en-US/FcInvoke.Emulator.dll-Help.xml'
        'en-US/about_FcInvoke.help.txt'
        'README.md'
        'CHANGELOG.md'
    )
    PrivateData          = @{
        PSData = @{
            Tags         = @('AlibabaCloud', 'Aliyun', 'FunctionCompute', 'FC', 'Serverless', 'FaaS', 'Invoke', 'Runbook', 'Emulator', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/FcInvoke/FcInvoke'
            # build.ps1 replaces this line with the CHANGELOG.md section of ModuleVersion.
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
