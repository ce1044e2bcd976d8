#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the FcInvoke module.
.DESCRIPTION
    Build    compiles src/FcInvoke (with src/FcInvoke.Core) and src/FcInvoke.Emulator and lays out an importable module in out/FcInvoke.
    Test     builds, runs the xunit tests and the Pester tests (in a fresh pwsh, against out/FcInvoke), prints one line
             per test class and test file, each failure with its message, and last "tests: N passed, M failed"; exits
             non-zero on any failure. What the runs print goes to out/test-results (xunit.log, pester-host.log).
    Demo     builds, starts the local FC emulator and invokes a demo function sync and async.
    Package  builds and writes out/package/FcInvoke (the module folder, exactly its manifest's FileList) and
             out/package/FcInvoke.<version>.nupkg, made by Compress-PSResource.
    Bench    builds, then runs the benchmark (tests/bench, a few minutes): per-call overhead against a raw HttpClient
             floor, Invoke-RestMethod and (with Node.js) the official Node.js SDKs; fan-out throughput; import time;
             peak working set; async submissions with batch ids; Wait-FcAsyncTask's reads per task on 100 to 5,000
             emulated tasks, per task against listings. Prints a table of medians and ratios and writes
             out/bench.json. Not part of Test.
             See docs/performance.md.
    Clean    removes out/ and the bin/obj folders.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Bench
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'FcInvoke'

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    $bin = Join-Path $out 'bin'
    # publish (not build) so the package dependencies Windows PowerShell 5.1 needs are collected too.
    foreach ($project in 'FcInvoke', 'FcInvoke.Emulator') {
        Invoke-Native dotnet @('publish', (Join-Path $root "src/$project/$project.csproj"), '-c', $Configuration, '--nologo', '-v', 'quiet', '-o', $bin)
    }
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $moduleOut
    # The module's own assemblies sit next to the manifest; everything else is a third-party dependency.
    $own = 'FcInvoke', 'FcInvoke.Core', 'FcInvoke.Emulator'
    foreach ($name in $own) { Copy-Item (Join-Path $bin "$name.dll"), (Join-Path $bin "$name.pdb") $moduleOut }
    # Loaded only on .NET Framework (see FcModuleInitializer); pwsh 7 uses its own System.Text.Json.
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'dependencies')
    Get-ChildItem $bin -Filter *.dll | Where-Object { $_.BaseName -notin $own } | Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $root 'src/FcInvoke/FcInvoke.Format.ps1xml') $moduleOut
    Copy-Item (Join-Path $root 'README.md'), (Join-Path $root 'CHANGELOG.md') $moduleOut
    Write-ModuleManifest -Destination (Join-Path $moduleOut 'FcInvoke.psd1')
    Invoke-HelpBuild
    Write-Host "Module: $moduleOut"
}

function Write-ModuleManifest {
    # The manifest as it ships: ReleaseNotes become the CHANGELOG.md section of ModuleVersion.
    param([string] $Destination)
    $source = Join-Path $root 'FcInvoke.psd1'
    $version = (Import-PowerShellDataFile $source).ModuleVersion
    $notes = Get-ReleaseNotes -Version $version
    $text = (Get-Content $source -Raw) -replace "(?m)^(\s*ReleaseNotes\s*=\s*)'[^']*'", ('$1' + "'" + ($notes -replace "'", "''").Replace('$', '$$') + "'")
    Set-Content -Path $Destination -Value $text -Encoding utf8NoBOM -NoNewline
}

function Get-ReleaseNotes {
    param([string] $Version)
    $changelog = Get-Content (Join-Path $root 'CHANGELOG.md') -Raw
    $pattern = '(?ms)^## \[?' + [regex]::Escape($Version) + '\]?[^\n]*\n(.*?)(?=^## |\z)'
    if ($changelog -notmatch $pattern) { throw "CHANGELOG.md has no section '## [$Version]'." }
    $Matches[1].Trim()
}

function Invoke-HelpBuild {
    # MAML and the about topic from docs/, in a fresh pwsh that imports the module just laid out: parameter metadata
    # comes from the cmdlets themselves, and the build process never loads the module's DLL.
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'docs/tools/Build-FcHelp.ps1') -ModulePath (Join-Path $moduleOut 'FcInvoke.psd1')
    if ($LASTEXITCODE -ne 0) { throw "Generating the help failed (exit code $LASTEXITCODE)." }
}

function Get-NuGetPackageRoot {
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    if ($LASTEXITCODE -ne 0 -or $line -notmatch 'global-packages:\s*(.+)$') { throw "Cannot find the NuGet global packages folder: $line" }
    $Matches[1].Trim()
}

function Get-PesterModulePath {
    Invoke-Native dotnet @('restore', (Join-Path $root 'tests/tools/Pester.csproj'), '--nologo', '-v', 'quiet')
    $path = Join-Path (Get-NuGetPackageRoot) 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $path)) { throw "Pester was restored but $path is missing." }
    $path
}

function Invoke-Test {
    # Quiet when it passes: a line per test class and per test file, then the totals. What the test runs print goes to
    # out/test-results (xunit.log, pester-host.log); a failure is named with its message here and points there.
    Invoke-Build
    Write-Package   # the Pester suite checks the package too
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $results
    $failures = [Collections.Generic.List[string]]::new()

    # xunit: the core (signing, request building, parsing), plain C#.
    $trx = Join-Path $results 'xunit.trx'
    $xunitLog = Join-Path $results 'xunit.log'
    & dotnet test (Join-Path $root 'tests/FcInvoke.Tests/FcInvoke.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' *> $xunitLog
    $xunitExit = $LASTEXITCODE
    $xunitPassed = 0; $xunitFailed = 0
    if (Test-Path $trx) {
        $run = ([xml](Get-Content $trx -Raw)).TestRun
        $counters = $run.ResultSummary.Counters
        $xunitPassed = [int]$counters.passed
        $xunitFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        foreach ($class in Read-XunitResults $run | Group-Object Class | Sort-Object Name) {
            $passed = @($class.Group | Where-Object Outcome -eq 'Passed').Count
            $seconds = ($class.Group | Measure-Object Seconds -Sum).Sum
            Write-TestLine 'xunit' $class.Name $passed ($class.Count - $passed) $seconds
            foreach ($test in $class.Group | Where-Object Outcome -ne 'Passed') { $failures.Add((Format-Failure 'xunit' "$($class.Name).$($test.Name)" $test.Outcome $test.Message)) }
        }
    }
    if ($xunitExit -ne 0 -and $xunitFailed -eq 0) {
        $xunitFailed = 1  # the run itself broke (the build of the test project, the test host)
        $failures.Add((Format-Failure 'xunit' 'the test run' "exit code $xunitExit" ((Get-Content $xunitLog -Tail 5) -join "`n")))
    }

    # Pester: the cmdlets, through the built module, in a fresh pwsh.
    $pester = Get-PesterModulePath
    $pesterJson = Join-Path $results 'pester.json'
    $pesterLog = Join-Path $results 'pester-host.log'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tests/Invoke-PesterSuite.ps1') `
        -ModulePath (Join-Path $moduleOut 'FcInvoke.psd1') -PesterPath $pester -ResultPath $pesterJson *> $pesterLog
    $pesterExit = $LASTEXITCODE
    $pesterPassed = 0; $pesterFailed = 0
    if (Test-Path $pesterJson) {
        $p = Get-Content $pesterJson -Raw | ConvertFrom-Json
        $pesterPassed = [int]$p.Passed; $pesterFailed = [int]$p.Failed
        foreach ($file in $p.Files) { Write-TestLine 'pester' $file.File $file.Passed $file.Failed $file.Seconds $file.Skipped }
        foreach ($failure in $p.Failures) { $failures.Add((Format-Failure 'pester' "$($failure.File): $($failure.Name)" 'Failed' $failure.Message)) }
    }
    if ($pesterExit -ne 0 -and $pesterFailed -eq 0) {
        $pesterFailed = 1
        $failures.Add((Format-Failure 'pester' 'the test run' "exit code $pesterExit" ((Get-Content $pesterLog -Tail 5) -join "`n")))
    }

    if ($failures.Count -gt 0) {
        $shown = 25
        Write-Host ''
        foreach ($failure in $failures | Select-Object -First $shown) { Write-Host $failure }
        if ($failures.Count -gt $shown) { Write-Host "... and $($failures.Count - $shown) more." }
        $relative = { param($path) [IO.Path]::GetRelativePath($root, $path).Replace('\', '/') }
        Write-Host "Full output: $(& $relative $pesterLog) (Pester, test by test), $(& $relative $xunitLog) and $(& $relative $trx) (xunit)."
    }
    $passed = $xunitPassed + $pesterPassed
    $failed = $xunitFailed + $pesterFailed
    Write-Host "xunit: $xunitPassed passed, $xunitFailed failed; pester: $pesterPassed passed, $pesterFailed failed"
    Write-Host "tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Read-XunitResults {
    # One object per test result of a TRX run: its class (without the FcInvoke.Tests. prefix), name, outcome, time and message.
    param($Run)
    $classOf = @{}
    foreach ($test in $Run.TestDefinitions.UnitTest) { $classOf[$test.id] = $test['TestMethod'].GetAttribute('className') }
    foreach ($result in $Run.Results.UnitTestResult) {
        $output = $result['Output']
        $info = if ($output) { $output['ErrorInfo'] } else { $null }
        $duration = $result.GetAttribute('duration')
        $class = $classOf[$result.GetAttribute('testId')]
        $name = $result.GetAttribute('testName')
        [pscustomobject]@{
            Class   = $class -replace '^FcInvoke\.Tests\.', ''
            Name    = if ($name.StartsWith("$class.")) { $name.Substring($class.Length + 1) } else { $name }
            Outcome = $result.GetAttribute('outcome')
            Seconds = if ($duration) { [TimeSpan]::Parse($duration, [Globalization.CultureInfo]::InvariantCulture).TotalSeconds } else { 0 }
            Message = if ($info -and $info['Message']) { $info['Message'].InnerText } else { '' }
        }
    }
}

function Write-TestLine {
    param([string] $Runner, [string] $Name, [int] $Passed, [int] $Failed, [double] $Seconds, [int] $Skipped = 0)
    $line = '{0,-6}  {1,-34} {2,4} passed {3,3} failed {4,6:0.0} s' -f $Runner, $Name, $Passed, $Failed, $Seconds
    if ($Skipped -gt 0) { $line += "  ($Skipped skipped or inconclusive)" }
    Write-Host $line
}

function Format-Failure {
    # FAILED runner name (outcome), then the message's first lines, indented.
    param([string] $Runner, [string] $Name, [string] $Outcome, [string] $Message)
    $lines = @("$Message" -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 3 |
               ForEach-Object { $text = $_.Trim(); '        ' + $(if ($text.Length -gt 200) { $text.Substring(0, 200) + '...' } else { $text }) })
    (@("FAILED  $Runner  $Name" + $(if ($Outcome -ne 'Failed') { " ($Outcome)" } else { '' })) + $lines) -join [Environment]::NewLine
}

function Invoke-Demo {
    Invoke-Build
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'docs/examples/Demo.ps1') -ModulePath (Join-Path $moduleOut 'FcInvoke.psd1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Package {
    Invoke-Build
    Write-Package
}

function Write-Package {
    # out/package/FcInvoke: the module folder exactly as its manifest's FileList says; then the .nupkg, made by
    # PSResourceGet's Compress-PSResource (the packing step of Publish-PSResource, which also validates the manifest).
    $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'FcInvoke.psd1')
    $packageRoot = Join-Path $out 'package'
    if (Test-Path $packageRoot) { Remove-Item $packageRoot -Recurse -Force }
    $folder = Join-Path $packageRoot 'FcInvoke'
    $null = New-Item -ItemType Directory -Path $folder
    foreach ($file in $manifest.FileList) {
        $source = Join-Path $moduleOut $file
        if (-not (Test-Path $source)) { throw "The manifest's FileList names '$file', which the build did not produce." }
        $target = Join-Path $folder $file
        $null = New-Item -ItemType Directory -Path (Split-Path $target -Parent) -Force
        Copy-Item $source $target
    }
    $unlisted = Get-ChildItem $moduleOut -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($moduleOut, $_.FullName).Replace('\', '/') } |
        Where-Object { $_ -notin $manifest.FileList }
    if ($unlisted) { throw "The module folder has files the manifest's FileList does not name: $($unlisted -join ', ')" }
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    Compress-PSResource -Path $folder -DestinationPath $packageRoot
    $nupkg = Join-Path $packageRoot "FcInvoke.$($manifest.ModuleVersion).nupkg"
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not write $nupkg." }
    Write-Host "Package: $folder"
    Write-Host "Package: $nupkg"
}

function Invoke-Bench {
    Invoke-Build
    # The bench helper (loopback server + HttpClient floor) lives in tests/bench, outside every test project.
    $benchBin = Join-Path $out 'bench/bin'
    Invoke-Native dotnet @('build', (Join-Path $root 'tests/bench/FcBench/FcBench.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet', '-o', $benchBin)
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tests/bench/Invoke-FcBenchmark.ps1') `
        -ModulePath (Join-Path $moduleOut 'FcInvoke.psd1') -BenchDll (Join-Path $benchBin 'FcBench.dll') `
        -OutFile (Join-Path $out 'bench.json') -NodeDir (Join-Path $out 'bench/node')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Clean {
    foreach ($path in @($out) + (Get-ChildItem $root -Recurse -Directory -Include bin, obj | Where-Object FullName -notlike "$out*").FullName) {
        if ($path -and (Test-Path $path)) { Remove-Item $path -Recurse -Force }
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
    'Bench' { Invoke-Bench }
    'Clean' { Invoke-Clean }
}
