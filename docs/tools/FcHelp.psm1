# Builds the module's help from docs/: cmdlet pages (docs/cmdlets/<Cmdlet>.md) become MAML (FcInvoke.dll-Help.xml),
# docs/about_FcInvoke.md becomes about_FcInvoke.help.txt. Parameter types, positions, pipeline input and syntax come
# from the loaded cmdlets themselves, so the Markdown holds only what a person has to write.
# Long on purpose: reading the pages, writing MAML and the about topic, and the gate that checks them share one parser.
#
# Page format (platyPS-like):  # Verb-Noun / ## SYNOPSIS / ## DESCRIPTION / ## EXAMPLES (### Example n: title, a
# ```powershell block, then remarks) / ## PARAMETERS (### -Name, text, optional 'Default value: x' line) / ## INPUTS and
# ## OUTPUTS (### Type name, text) / ## NOTES / ## RELATED LINKS (- [text](target)).
# Parameters shared by many cmdlets (connection, paging, -WhatIf/-Confirm) are written once in SharedParameters.md.

Set-StrictMode -Version 3.0

$script:SharedPageName = 'SharedParameters.md'
$script:MinimumExamples = 3

function Split-FcHelpSection {
    # Splits Markdown lines at headings of the given level: an ordered map of title -> body lines.
    param([string[]] $Lines, [int] $Level)
    $marker = ('#' * $Level) + ' '
    $sections = [ordered]@{}
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($marker)) {
            $current = $line.Substring($marker.Length).Trim()
            $sections[$current] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

function ConvertFrom-FcHelpTable {
    # A Markdown table to list items a console shows well: "- <first cell>: <header> <cell>; <header> <cell>; ...".
    param([string[]] $Rows)
    $cells = { param($row) @($row.Trim().Trim('|').Split('|') | ForEach-Object { $_.Trim() }) }
    $headers = & $cells $Rows[0]
    foreach ($row in $Rows | Select-Object -Skip 1) {
        if ($row -match '^\s*\|[\s:|-]+\|\s*$') { continue }   # the separator row
        $values = & $cells $row
        $parts = for ($i = 1; $i -lt $values.Count; $i++) { "$($headers[$i]): $($values[$i])" }
        "- $($values[0]): $($parts -join '; ')"
    }
}

function ConvertTo-FcHelpParagraph {
    # Text lines to paragraphs: blank lines separate them; list items and fenced blocks stay as they are; a table
    # becomes one list item per row.
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    $table = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if (-not $inFence -and $line -match '^\s*\|') { $table.Add($line); continue }
        if ($table.Count) {
            if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ')); $buffer.Clear() }
            foreach ($item in ConvertFrom-FcHelpTable $table) { $paragraphs.Add($item) }
            $table.Clear()
        }
        if ($line -match '^\s*```') {
            if ($inFence) { $paragraphs.Add(($buffer -join "`n")); $buffer.Clear() } elseif ($buffer.Count) { $paragraphs.Add(($buffer -join ' ')); $buffer.Clear() }
            $inFence = -not $inFence
            continue
        }
        if ($inFence) { $buffer.Add('    ' + $line); continue }
        if ($line.Trim() -eq '') { if ($buffer.Count) { $paragraphs.Add(($buffer -join ' ')); $buffer.Clear() }; continue }
        if ($line -match '^\s*([-*]|\d+\.)\s' -and $buffer.Count) { $paragraphs.Add(($buffer -join ' ')); $buffer.Clear() }
        $buffer.Add($line.Trim())
    }
    if ($buffer.Count) { $paragraphs.Add(($(if ($inFence) { $buffer -join "`n" } else { $buffer -join ' ' }))) }
    if ($table.Count) { foreach ($item in ConvertFrom-FcHelpTable $table) { $paragraphs.Add($item) } }
    # Inline Markdown that reads badly as plain text: links keep their text, code ticks go.
    @($paragraphs | ForEach-Object { ($_ -replace '\[([^\]]+)\]\([^)]+\)', '$1') -replace '`', '' } | Where-Object { $_ -ne '' })
}

function Read-FcHelpPage {
    <#
    .SYNOPSIS
        Parses one cmdlet page (or SharedParameters.md) into its parts.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $lines = Get-Content -LiteralPath $Path -Encoding utf8
    $title = ($lines | Where-Object { $_ -match '^# ' } | Select-Object -First 1)
    $name = if ($title) { $title.Substring(2).Trim() } else { [IO.Path]::GetFileNameWithoutExtension($Path) }
    $sections = Split-FcHelpSection -Lines $lines -Level 2
    $get = { param($key) if ($sections.Contains($key)) { [string[]]$sections[$key] } else { [string[]]@() } }

    $examples = foreach ($entry in (Split-FcHelpSection -Lines (& $get 'EXAMPLES') -Level 3).GetEnumerator()) {
        $code = [System.Collections.Generic.List[string]]::new()
        $remarks = [System.Collections.Generic.List[string]]::new()
        $state = 'before'
        foreach ($line in $entry.Value) {
            if ($state -eq 'before' -and $line -match '^\s*```') { $state = 'code'; continue }
            if ($state -eq 'code' -and $line -match '^\s*```') { $state = 'after'; continue }
            if ($state -eq 'code') { $code.Add($line) } elseif ($state -eq 'after') { $remarks.Add($line) }
        }
        [pscustomobject]@{ Title = $entry.Key; Code = ($code -join "`n").Trim(); Remarks = @(ConvertTo-FcHelpParagraph $remarks) }
    }

    $parameters = [ordered]@{}
    foreach ($entry in (Split-FcHelpSection -Lines (& $get 'PARAMETERS') -Level 3).GetEnumerator()) {
        $default = $null
        $text = foreach ($line in $entry.Value) {
            if ($line -match '^Default value:\s*(.+)$') { $default = $Matches[1].Trim(); continue }
            $line
        }
        $parameters[$entry.Key.TrimStart('-').Trim()] = [pscustomobject]@{ Description = @(ConvertTo-FcHelpParagraph $text); Default = $default }
    }

    $types = {
        param($key)
        foreach ($entry in (Split-FcHelpSection -Lines (& $get $key) -Level 3).GetEnumerator()) {
            [pscustomobject]@{ Type = $entry.Key; Description = @(ConvertTo-FcHelpParagraph $entry.Value) }
        }
    }
    $links = foreach ($line in (& $get 'RELATED LINKS')) {
        if ($line -match '\[([^\]]+)\]\(([^)]*)\)') {
            [pscustomobject]@{ Text = $Matches[1]; Uri = $(if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }) }
        }
    }

    [pscustomobject]@{
        Name        = $name
        Path        = $Path
        Synopsis    = (@(ConvertTo-FcHelpParagraph (& $get 'SYNOPSIS')) -join ' ')
        Description = @(ConvertTo-FcHelpParagraph (& $get 'DESCRIPTION'))
        Examples    = @($examples)
        Parameters  = $parameters
        Inputs      = @(& $types 'INPUTS')
        Outputs     = @(& $types 'OUTPUTS')
        Notes       = @(ConvertTo-FcHelpParagraph (& $get 'NOTES'))
        Links       = @($links)
    }
}

function Get-FcDocumentedParameterName {
    # The parameters a page must document: all but the common parameters (-Verbose, -ErrorAction, ...).
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    @($Command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
}

function Test-FcHelp {
    <#
    .SYNOPSIS
        Lists what the help pages miss for a loaded module: one line per missing page, section, parameter or example.
        No output means every cmdlet is fully documented.
    #>
    param(
        [Parameter(Mandatory)] [string] $HelpPath,
        [Parameter(Mandatory)] [string] $ModuleName
    )
    $module = Get-Module $ModuleName
    if (-not $module) { throw "Import the module '$ModuleName' before checking its help." }
    $shared = Join-Path $HelpPath $script:SharedPageName
    $sharedParameters = if (Test-Path $shared) { (Read-FcHelpPage $shared).Parameters } else { @{} }
    $cmdlets = @($module.ExportedCmdlets.Keys | Sort-Object)
    foreach ($name in $cmdlets) {
        $pagePath = Join-Path $HelpPath "$name.md"
        if (-not (Test-Path $pagePath)) { "${name}: no help page (docs/cmdlets/$name.md)"; continue }
        $page = Read-FcHelpPage $pagePath
        if ($page.Name -ne $name) { "${name}: the page's title is '$($page.Name)', not '$name'" }
        if (-not $page.Synopsis) { "${name}: no SYNOPSIS" }
        if (-not $page.Description) { "${name}: no DESCRIPTION" }
        if (-not $page.Inputs) { "${name}: no INPUTS (write '### None' when it takes no pipeline input)" }
        if (-not $page.Outputs) { "${name}: no OUTPUTS (write '### None' when it writes nothing)" }
        $complete = @($page.Examples | Where-Object { $_.Code -and $_.Remarks })
        if ($complete.Count -lt $script:MinimumExamples) {
            "${name}: $($complete.Count) complete example(s) (code and explanation); at least $($script:MinimumExamples) are needed"
        }
        $command = Get-Command $name -Module $ModuleName
        $actual = Get-FcDocumentedParameterName $command
        foreach ($parameter in $actual) {
            $doc = if ($page.Parameters.Contains($parameter)) { $page.Parameters[$parameter] } elseif ($sharedParameters.Contains($parameter)) { $sharedParameters[$parameter] }
            if (-not $doc -or -not $doc.Description) { "${name}: parameter -$parameter is not documented" }
        }
        foreach ($parameter in $page.Parameters.Keys) {
            if ($parameter -notin $actual) { "${name}: documents -$parameter, which the cmdlet does not have" }
        }
        $described = @($page.Outputs | ForEach-Object Type)
        foreach ($type in @($command.OutputType | ForEach-Object Name)) {
            if ($type -and $type -notin $described) { "${name}: OUTPUTS does not describe $type" }
        }
    }
    foreach ($file in Get-ChildItem $HelpPath -Filter '*-*.md') {
        if ($file.BaseName -notin $cmdlets) { "$($file.BaseName): a help page exists but the module exports no such cmdlet" }
    }
}

function New-FcXmlElement {
    param([System.Xml.XmlDocument] $Document, [string] $Name, [string] $Text, [hashtable] $Attributes)
    $prefix, $local = $Name.Split(':')
    $ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }[$prefix]
    $element = $Document.CreateElement($prefix, $local, $ns)
    if ($null -ne $Text) { $element.InnerText = $Text }
    if ($Attributes) { foreach ($k in $Attributes.Keys) { $element.SetAttribute($k, [string]$Attributes[$k]) } }
    $element
}

function Add-FcXmlChild {
    param($Parent, [string] $Name, [string] $Text, [hashtable] $Attributes)
    $child = New-FcXmlElement -Document $Parent.OwnerDocument -Name $Name -Text $Text -Attributes $Attributes
    $null = $Parent.AppendChild($child)
    $child
}

function Add-FcXmlParagraphs {
    param($Parent, [string[]] $Paragraphs)
    $description = Add-FcXmlChild $Parent 'maml:description'
    foreach ($p in $Paragraphs) { $null = Add-FcXmlChild $description 'maml:para' $p }
    $description
}

function Get-FcParameterFacts {
    # What Get-Help shows about a parameter, from its metadata; $SetName narrows to one parameter set (syntax).
    param([System.Management.Automation.ParameterMetadata] $Parameter, [string] $SetName)
    $sets = @($Parameter.ParameterSets.GetEnumerator() | Where-Object { -not $SetName -or $_.Key -eq $SetName -or $_.Key -eq '__AllParameterSets' } | ForEach-Object Value)
    $positions = @($sets | ForEach-Object { $_.Position } | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
    $byValue = [bool]($sets | Where-Object ValueFromPipeline)
    $byName = [bool]($sets | Where-Object ValueFromPipelineByPropertyName)
    $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
    $type = $Parameter.ParameterType
    $values = if ($type.IsEnum) { [enum]::GetNames($type) } else { @($Parameter.Attributes | Where-Object { $_ -is [ValidateSet] } | ForEach-Object ValidValues) }
    [pscustomobject]@{
        Required  = [bool]($sets | Where-Object IsMandatory)
        Position  = if ($positions.Count -eq 1) { [string]$positions[0] } else { 'named' }
        Pipeline  = $pipeline
        Globbing  = [bool]($Parameter.Attributes | Where-Object { $_ -is [SupportsWildcards] })
        Aliases   = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'None' }
        TypeName  = $type.FullName
        ShortType = if ($type -eq [System.Management.Automation.SwitchParameter]) { $null } else { $type.Name }
        Values    = @($values)
    }
}

function Add-FcXmlParameter {
    param($Parent, [string] $Name, $Facts, [string[]] $Description, [string] $Default)
    $p = Add-FcXmlChild $Parent 'command:parameter' -Attributes @{
        required = $Facts.Required.ToString().ToLowerInvariant(); variableLength = 'true'; globbing = $Facts.Globbing.ToString().ToLowerInvariant()
        pipelineInput = $Facts.Pipeline; position = $Facts.Position; aliases = $Facts.Aliases
    }
    $null = Add-FcXmlChild $p 'maml:name' $Name
    $null = Add-FcXmlParagraphs $p $Description
    if ($Facts.Values.Count) {
        $group = Add-FcXmlChild $p 'command:parameterValueGroup'
        foreach ($v in $Facts.Values) { $null = Add-FcXmlChild $group 'command:parameterValue' $v -Attributes @{ required = 'false'; variableLength = 'false' } }
    }
    if ($Facts.ShortType) { $null = Add-FcXmlChild $p 'command:parameterValue' $Facts.ShortType -Attributes @{ required = 'true'; variableLength = 'false' } }
    $type = Add-FcXmlChild $p 'dev:type'
    $null = Add-FcXmlChild $type 'maml:name' $Facts.TypeName
    $null = Add-FcXmlChild $type 'maml:uri' ''
    $null = Add-FcXmlChild $p 'dev:defaultValue' $(if ($Default) { $Default } else { 'None' })
}

function Export-FcMamlHelp {
    <#
    .SYNOPSIS
        Writes the MAML help of a loaded module's cmdlets from their Markdown pages; returns the file written.
        Cmdlets without a page are left out (Test-FcHelp names them).
    #>
    param(
        [Parameter(Mandatory)] [string] $HelpPath,
        [Parameter(Mandatory)] [string] $ModuleName,
        [Parameter(Mandatory)] [string] $OutputPath,
        # Only these cmdlets (PowerShell looks a cmdlet's help up in <its assembly's file name>-Help.xml).
        [string[]] $CmdletName
    )
    $module = Get-Module $ModuleName
    if (-not $module) { throw "Import the module '$ModuleName' before generating its help." }
    $shared = Join-Path $HelpPath $script:SharedPageName
    $sharedParameters = if (Test-Path $shared) { (Read-FcHelpPage $shared).Parameters } else { @{} }

    $doc = [System.Xml.XmlDocument]::new()
    $null = $doc.AppendChild($doc.CreateXmlDeclaration('1.0', 'utf-8', $null))
    $root = $doc.CreateElement('helpItems', 'http://msh')
    $root.SetAttribute('schema', 'maml')
    $null = $doc.AppendChild($root)

    foreach ($name in ($module.ExportedCmdlets.Keys | Where-Object { -not $CmdletName -or $_ -in $CmdletName } | Sort-Object)) {
        $pagePath = Join-Path $HelpPath "$name.md"
        if (-not (Test-Path $pagePath)) { continue }
        $page = Read-FcHelpPage $pagePath
        $command = Get-Command $name -Module $ModuleName
        $documented = Get-FcDocumentedParameterName $command
        $describe = {
            param($parameter)
            $doc2 = if ($page.Parameters.Contains($parameter)) { $page.Parameters[$parameter] } elseif ($sharedParameters.Contains($parameter)) { $sharedParameters[$parameter] }
            if ($doc2) { $doc2 } else { [pscustomobject]@{ Description = @(); Default = $null } }
        }

        $cmd = New-FcXmlElement $doc 'command:command'
        $null = $root.AppendChild($cmd)
        $details = Add-FcXmlChild $cmd 'command:details'
        $null = Add-FcXmlChild $details 'command:name' $name
        $null = Add-FcXmlChild $details 'command:verb' $command.Verb
        $null = Add-FcXmlChild $details 'command:noun' $command.Noun
        $null = Add-FcXmlParagraphs $details @($page.Synopsis)
        $null = Add-FcXmlParagraphs $cmd $page.Description

        $syntax = Add-FcXmlChild $cmd 'command:syntax'
        foreach ($set in $command.ParameterSets) {
            $item = Add-FcXmlChild $syntax 'command:syntaxItem'
            $null = Add-FcXmlChild $item 'maml:name' $name
            $inSet = @($set.Parameters | Where-Object { $_.Name -in $documented } |
                    Sort-Object @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ Expression = { -not $_.IsMandatory } })
            foreach ($parameter in $inSet) {
                $facts = Get-FcParameterFacts -Parameter $command.Parameters[$parameter.Name] -SetName $set.Name
                $info = & $describe $parameter.Name
                Add-FcXmlParameter $item $parameter.Name $facts $info.Description $info.Default
            }
        }

        $parameters = Add-FcXmlChild $cmd 'command:parameters'
        foreach ($parameterName in $documented) {
            $facts = Get-FcParameterFacts -Parameter $command.Parameters[$parameterName]
            $info = & $describe $parameterName
            Add-FcXmlParameter $parameters $parameterName $facts $info.Description $info.Default
        }

        foreach ($kind in @(@{ Section = 'Inputs'; List = 'command:inputTypes'; Item = 'command:inputType' }, @{ Section = 'Outputs'; List = 'command:returnValues'; Item = 'command:returnValue' })) {
            $list = Add-FcXmlChild $cmd $kind.List
            foreach ($entry in $page.($kind.Section)) {
                $item = Add-FcXmlChild $list $kind.Item
                $type = Add-FcXmlChild $item 'dev:type'
                $null = Add-FcXmlChild $type 'maml:name' $entry.Type
                $null = Add-FcXmlParagraphs $item $entry.Description
            }
        }

        if ($page.Notes) {
            $alerts = Add-FcXmlChild $cmd 'maml:alertSet'
            $alert = Add-FcXmlChild $alerts 'maml:alert'
            foreach ($p in $page.Notes) { $null = Add-FcXmlChild $alert 'maml:para' $p }
        }

        $examples = Add-FcXmlChild $cmd 'command:examples'
        foreach ($example in $page.Examples) {
            $e = Add-FcXmlChild $examples 'command:example'
            $null = Add-FcXmlChild $e 'maml:title' "--------- $($example.Title) ---------"
            $null = Add-FcXmlChild $e 'dev:code' $example.Code
            $remarks = Add-FcXmlChild $e 'dev:remarks'
            foreach ($p in $example.Remarks) { $null = Add-FcXmlChild $remarks 'maml:para' $p }
        }

        $links = Add-FcXmlChild $cmd 'command:relatedLinks'
        foreach ($link in $page.Links) {
            $nav = Add-FcXmlChild $links 'maml:navigationLink'
            $null = Add-FcXmlChild $nav 'maml:linkText' $link.Text
            $null = Add-FcXmlChild $nav 'maml:uri' $link.Uri
        }
    }

    $folder = Split-Path $OutputPath -Parent
    if ($folder -and -not (Test-Path $folder)) { $null = New-Item -ItemType Directory -Path $folder }
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    try { $doc.Save($writer) } finally { $writer.Dispose() }
    Get-Item $OutputPath
}

function Export-FcAboutHelp {
    <#
    .SYNOPSIS
        Converts an about topic written in Markdown to the plain-text about_*.help.txt that Get-Help reads.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $OutputPath
    )
    $out = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in Get-Content -LiteralPath $Path -Encoding utf8) {
        if ($line -match '^\s*```') { $inFence = -not $inFence; continue }
        if ($inFence) { $out.Add('    ' + $line); continue }
        if ($line -match '^(#{1,3})\s+(.*)$') {
            $text = $Matches[2].Trim()
            if ($Matches[1].Length -le 2) { $out.Add($text.ToUpperInvariant()) } else { $out.Add('  ' + $text) }
            continue
        }
        $text = ($line -replace '\[([^\]]+)\]\([^)]+\)', '$1') -replace '`', '' -replace '\*\*', ''
        $out.Add($(if ($text.Trim()) { '    ' + $text.TrimEnd() } else { '' }))
    }
    $folder = Split-Path $OutputPath -Parent
    if ($folder -and -not (Test-Path $folder)) { $null = New-Item -ItemType Directory -Path $folder }
    [IO.File]::WriteAllLines($OutputPath, $out, [System.Text.UTF8Encoding]::new($false))
    Get-Item $OutputPath
}

Export-ModuleMember -Function Read-FcHelpPage, Test-FcHelp, Export-FcMamlHelp, Export-FcAboutHelp
