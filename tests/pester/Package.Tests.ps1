# The package of build.ps1 -Task Package (also built by -Task Test): manifest, file list, nupkg, and a clean import.
BeforeDiscovery {
    $modulePath = if ($env:FCINVOKE_TEST_MODULE) { $env:FCINVOKE_TEST_MODULE } else { Join-Path $PSScriptRoot '../../out/FcInvoke/FcInvoke.psd1' }
    $script:packageRoot = Join-Path (Split-Path (Split-Path $modulePath -Parent) -Parent) 'package'
    $script:noPackage = -not (Test-Path (Join-Path $packageRoot 'FcInvoke/FcInvoke.psd1'))
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:packageRoot = Join-Path (Split-Path (Split-Path (Get-Module FcInvoke).Path -Parent) -Parent) 'package'
    $script:folder = Join-Path $packageRoot 'FcInvoke'
    $script:manifestPath = Join-Path $folder 'FcInvoke.psd1'
    $script:data = Import-PowerShellDataFile $manifestPath
    $script:nupkg = Join-Path $packageRoot "FcInvoke.$($data.ModuleVersion).nupkg"
}

Describe 'The package' -Skip:$noPackage {
    It 'has a manifest that Test-ModuleManifest accepts, with complete gallery metadata' {
        $m = Test-ModuleManifest $manifestPath -ErrorAction Stop
        $m.Version | Should -Be ([version]$data.ModuleVersion)
        $m.Guid | Should -Not -Be ([guid]::Empty)
        $m.Author | Should -Not -BeNullOrEmpty
        $m.Description.Length | Should -BeGreaterThan 50
        $m.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $m.Tags | Should -Contain 'AlibabaCloud'
        $m.LicenseUri | Should -Not -BeNullOrEmpty
        $m.ProjectUri | Should -Not -BeNullOrEmpty
        $m.ReleaseNotes | Should -Match 'Invoke-FcFunction' -Because 'the release notes are the CHANGELOG section of this version'
        $data.PrivateData.PSData.ReleaseNotes | Should -Not -Be 'See CHANGELOG.md.'
    }

    It 'exports an explicit list of cmdlets, no wildcards, matching what the module really exports' {
        $data.CmdletsToExport | Should -Not -Contain '*'
        foreach ($key in 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') { @($data[$key]).Count | Should -Be 0 -Because "$key must be an explicit empty list" }
        ($data.CmdletsToExport | Sort-Object) | Should -Be @((Get-Module FcInvoke).ExportedCmdlets.Keys | Sort-Object)
        $data.FormatsToProcess | Should -Be 'FcInvoke.Format.ps1xml'
        $data.NestedModules | Should -Be 'FcInvoke.Emulator.dll'
    }

    It 'ships exactly the files of its FileList, help and views included' {
        $files = Get-ChildItem $folder -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($folder, $_.FullName).Replace('\', '/') } | Sort-Object
        $files | Should -Be @($data.FileList | Sort-Object)
        $data.FileList | Should -Contain 'en-US/FcInvoke.dll-Help.xml'
        $data.FileList | Should -Contain 'en-US/FcInvoke.Emulator.dll-Help.xml'
        $data.FileList | Should -Contain 'en-US/about_FcInvoke.help.txt'
        $data.FileList | Should -Contain 'FcInvoke.Format.ps1xml'
    }

    It 'has a .nupkg with a nuspec carrying the manifest''s metadata and every file' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entries = $zip.Entries.FullName
            foreach ($file in $data.FileList) { $entries | Should -Contain $file }
            $reader = [IO.StreamReader]::new($zip.GetEntry('FcInvoke.nuspec').Open())
            $nuspec = [xml]$reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $meta = $nuspec.package.metadata
        $meta.id | Should -Be 'FcInvoke'
        $meta.version | Should -Be $data.ModuleVersion
        $meta.projectUrl | Should -Be $data.PrivateData.PSData.ProjectUri
        $meta.tags | Should -Match '\bPSModule\b'
        $meta.releaseNotes | Should -Match 'Get-FcFunction'
    }

    It 'installs from the .nupkg into a clean pwsh, imports by name, has help, and works against the emulator' {
        $modules = Join-Path $TestDrive 'Modules'
        $target = Join-Path $modules "FcInvoke/$($data.ModuleVersion)"
        Expand-Archive -LiteralPath $nupkg -DestinationPath $target
        Remove-Item -Recurse -Force (Join-Path $target '_rels'), (Join-Path $target 'package'), (Join-Path $target '[[]Content_Types].xml'), (Join-Path $target 'FcInvoke.nuspec')
        $out = Invoke-FcTestPwsh @"
`$env:PSModulePath = '$modules'
Import-Module FcInvoke -ErrorAction Stop
`$m = Get-Module FcInvoke
`$emu = Start-FcEmulator -Function @{ hi = { 'hello from the package' } }
`$r = Invoke-FcFunction hi -Endpoint `$emu.Endpoint -Credential `$emu.Credential
`$emu | Stop-FcEmulator
"version=`$(`$m.Version)"
"path=`$(`$m.ModuleBase)"
"result=`$(`$r.Result)"
"synopsis=`$((Get-Help Invoke-FcFunction).Synopsis)"
"examples=`$(@((Get-Help Get-FcFunction -Examples).examples.example).Count)"
"@
        $out | Should -Contain "version=$($data.ModuleVersion)"
        $out | Should -Contain "path=$target"
        $out | Should -Contain 'result=hello from the package'
        ($out | Where-Object { $_ -like 'synopsis=*' }) | Should -Match 'Invokes an Alibaba Cloud Function Compute function'
        $out | Should -Contain 'examples=4'
    }
}
