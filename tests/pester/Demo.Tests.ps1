# docs/examples/Demo.ps1 (build.ps1 -Task Demo) runs to its end, shows the views' names and the invocations it made (issue 14).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $demo = (Resolve-Path (Join-Path $PSScriptRoot '../../docs/examples/Demo.ps1')).Path
    # A fresh pwsh, as build.ps1 runs it; its host output (Write-Host, tables) comes back as lines.
    $script:lines = @(Invoke-FcTestPwsh "`$PSStyle.OutputRendering = 'PlainText'; & '$demo' -ModulePath '$FcTestModulePath'; exit `$LASTEXITCODE" 2>&1 | ForEach-Object { "$_" })
    $script:exit = $LASTEXITCODE
    $script:text = $lines -join "`n"
}

Describe 'The Demo' {
    It 'runs to its end' {
        $exit | Should -Be 0
        $text | Should -Match 'Done\. Next: Get-Help Invoke-FcFunction -Examples'
    }

    It 'shows results, tasks and functions with the labels their properties have' {
        $text | Should -Match '(?m)^Function\s+StatusCode\s+Duration\s+Result\s*$'
        $text | Should -Match '(?m)^Function\s+StatusCode\s+AsyncTaskId\s*$'
        $text | Should -Match '(?m)^TaskId\s+Function\s+Status\s+Duration\s+ErrorMessage\s*$'
        $text | Should -Match '(?m)^Function\s+FcVersion\s+Runtime\s+Timeout\s+MemorySize\s+Description\s*$'
        $text | Should -Match '(?m)^greet\s+3\.0\s' -Because 'one table lists the FC 3.0 function...'
        $text | Should -Match '(?m)^ops/resize-disk\s+2\.0\s' -Because '...and the FC 2.0 one'
        $text | Should -Not -Match 'DurationMs|DisplayName'
    }

    It 'shows the invocations it made, as the emulator received them' {
        $journal = $lines.IndexOf(($lines | Where-Object { $_ -match '^Time\s+Method\s+StatusCode\s+Path\s*$' } | Select-Object -Last 1))
        $journal | Should -BeGreaterThan 0
        $rows = @($lines | Select-Object -Skip ($journal + 2) | Where-Object { $_ -match '^\d\d:\d\d:\d\d\.\d{3}\s+POST\s+\d{3}\s+/' })
        $rows.Count | Should -BeGreaterOrEqual 5
        @($rows | Where-Object { $_ -match '\s202\s' }).Count | Should -BeGreaterThan 0 -Because 'the asynchronous invocations are among them'
    }

    It 'shows an error that names its input and says what to do' {
        $text | Should -Match "Message\s+: Input 2 \('lots'\): Function 'ops/resize-disk' failed"
        $text | Should -Match 'Target\s+: lots'
        $text | Should -Match "looked for the FC 3\.0 function 'resize-disk'.*'<service>/resize-disk'"
    }
}
