# Help: the MAML and about topic built from docs/, as a user sees them after Import-Module; the documentation gate.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:moduleDir = Split-Path (Get-Module FcInvoke).Path -Parent
    $script:docs = Join-Path $PSScriptRoot '../../docs'
    Import-Module (Join-Path $docs 'tools/FcHelp.psm1') -Force
    $script:cmdlets = @((Get-Module FcInvoke).ExportedCmdlets.Keys | Sort-Object)
}

Describe 'Help files in the built module' {
    It 'has well-formed MAML, one file per assembly, with one command entry per exported cmdlet' {
        $names = foreach ($command in (Get-Module FcInvoke).ExportedCmdlets.Values) {
            # PowerShell looks a cmdlet's help up in <its assembly's file name>-Help.xml.
            $path = Join-Path $moduleDir ('en-US/' + (Split-Path $command.HelpFile -Leaf))
            $xml = [xml](Get-Content $path -Raw)
            $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
            $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
            $xml.SelectNodes('//command:command/command:details/command:name', $ns) | ForEach-Object InnerText | Where-Object { $_ -eq $command.Name }
        }
        @($names | Sort-Object) | Should -Be $cmdlets
    }

    It 'shows synopsis, syntax, every parameter, inputs, outputs and examples with Get-Help -Full in a fresh pwsh' {
        $json = Invoke-FcTestPwsh @"
Import-Module '$FcTestModulePath'
`$common = [System.Management.Automation.Cmdlet]::CommonParameters
@(foreach (`$name in (Get-Module FcInvoke).ExportedCmdlets.Keys) {
    `$help = Get-Help `$name -Full
    [pscustomobject]@{
        Name = `$name
        Synopsis = "`$(`$help.Synopsis)".Trim()
        Syntax = @(`$help.syntax.syntaxItem).Count
        Documented = @(`$help.parameters.parameter | Where-Object { "`$(`$_.description.Text)".Trim() } | ForEach-Object name)
        Expected = @((Get-Command `$name).Parameters.Keys | Where-Object { `$_ -notin `$common })
        Examples = @((Get-Help `$name -Examples).examples.example).Count
        Inputs = "`$(`$help.inputTypes.inputType.type.name)"
        Outputs = "`$(`$help.returnValues.returnValue.type.name)"
        Full = (Get-Help `$name -Full | Out-String -Width 200)
    }
}) | ConvertTo-Json -Depth 4 -Compress
"@
        $help = ($json -join "`n") | ConvertFrom-Json
        @($help).Count | Should -Be $cmdlets.Count
        foreach ($h in $help) {
            $h.Synopsis | Should -Not -BeNullOrEmpty -Because "$($h.Name) needs a synopsis"
            $h.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($h.Name) + '\s*\[') -Because "$($h.Name) must not fall back to the generated syntax"
            $h.Syntax | Should -BeGreaterThan 0
            foreach ($p in $h.Expected) { $h.Documented | Should -Contain $p -Because "Get-Help $($h.Name) -Full must describe -$p" }
            $h.Examples | Should -BeGreaterOrEqual 3 -Because "$($h.Name) needs three examples"
            $h.Inputs | Should -Not -BeNullOrEmpty
            $h.Outputs | Should -Not -BeNullOrEmpty
            $h.Full | Should -Match 'DESCRIPTION'
        }
        ($help | Where-Object Name -eq 'Invoke-FcFunction').Full | Should -Match '-InvocationType <FcInvocationType>'
        ($help | Where-Object Name -eq 'Invoke-FcFunction').Full | Should -Match 'Accept pipeline input\?\s+True \(ByValue\)'
    }

    It 'shows about_FcInvoke, with the concepts, credential chain, error handling and a cookbook, in a fresh pwsh' {
        $text = (Invoke-FcTestPwsh "Import-Module '$FcTestModulePath'; Get-Help about_FcInvoke | Out-String -Width 200") -join "`n"
        foreach ($needle in 'FC 2.0 AND FC 3.0', 'SYNC AND ASYNC', 'ASYNC TASKS', 'THE EMULATOR', 'THE CREDENTIAL CHAIN',
                            'ERROR HANDLING IN RUNBOOKS', '-ErrorAction Stop', 'FcServiceException', 'FcFunctionError', 'COOKBOOK') {
            $text | Should -Match ([regex]::Escape($needle))
        }
        $text | Should -Not -Match '```'
    }
}

Describe 'The documentation gate' {
    It 'finds every exported cmdlet, parameter and example documented' {
        $gaps = @(Test-FcHelp -HelpPath (Join-Path $docs 'cmdlets') -ModuleName FcInvoke)
        $gaps | Should -BeNullOrEmpty -Because ("the help pages must be complete; missing:`n" + ($gaps -join "`n"))
    }

    It 'names exactly what a page misses: a page, a parameter, examples, and a parameter that does not exist' {
        $pages = Join-Path $TestDrive 'cmdlets'
        $null = New-Item -ItemType Directory $pages -Force
        Copy-Item (Join-Path $docs 'cmdlets/*.md') $pages
        Remove-Item (Join-Path $pages 'Get-FcEmulator.md')
        $page = Get-Content (Join-Path $pages 'Get-FcService.md') -Raw
        $page = $page -replace '(?ms)^### -PageSize.*?(?=^## )', "### -Bogus`nNot a parameter.`n`n"
        $page = $page -replace '(?ms)^### Example 3.*?(?=^## )', ''
        Set-Content (Join-Path $pages 'Get-FcService.md') $page
        Set-Content (Join-Path $pages 'Remove-FcNothing.md') "# Remove-FcNothing"

        $gaps = @(Test-FcHelp -HelpPath $pages -ModuleName FcInvoke)
        $gaps | Should -Contain 'Get-FcEmulator: no help page (docs/cmdlets/Get-FcEmulator.md)'
        $gaps | Should -Contain 'Get-FcService: parameter -PageSize is not documented'
        $gaps | Should -Contain 'Get-FcService: documents -Bogus, which the cmdlet does not have'
        $gaps | Should -Contain 'Get-FcService: 2 complete example(s) (code and explanation); at least 3 are needed'
        $gaps | Should -Contain 'Remove-FcNothing: a help page exists but the module exports no such cmdlet'
        $gaps.Count | Should -Be 5
    }

    It 'falls back to SharedParameters.md for shared parameters, and reports them when neither documents them' {
        $pages = Join-Path $TestDrive 'shared'
        $null = New-Item -ItemType Directory $pages -Force
        Copy-Item (Join-Path $docs 'cmdlets/*.md') $pages
        $shared = Get-Content (Join-Path $pages 'SharedParameters.md') -Raw
        Set-Content (Join-Path $pages 'SharedParameters.md') ($shared -replace '(?ms)^### -MaxRetries.*?(?=^### )', '')
        $gaps = @(Test-FcHelp -HelpPath $pages -ModuleName FcInvoke)
        $gaps | Should -Contain 'Invoke-FcFunction: parameter -MaxRetries is not documented'
        $gaps | Should -Contain 'Get-FcFunction: parameter -MaxRetries is not documented'
    }
}
