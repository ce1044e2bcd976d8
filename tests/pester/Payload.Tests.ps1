# Payload safety (issue 14): a payload is a string, bytes or data; anything else is refused before sending, saying
# what to do, and nothing is ever cut short.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emu = Start-FcEmulator -Function @{ 'echo' = { param($Event) $Event } }
    $script:conn = Get-FcTestConnection $emu
    $script:file = Join-Path $TestDrive 'event.json'
    Set-Content -Path $file -Value '{"from":"file"}' -NoNewline

    function Invoke-Refused {
        # Invokes with a payload that must be refused; returns the error record, having checked nothing was sent.
        param([Parameter(Mandatory)] [AllowNull()] $Payload)
        $before = $emu.RequestCount
        Invoke-FcFunction echo -Payload $Payload @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $emu.RequestCount | Should -Be $before -Because 'nothing is sent'
        $err | Should -HaveCount 1
        $err[0]
    }

    function New-Nest([int] $Depth) {
        $root = @{}
        $node = $root
        for ($i = 1; $i -lt $Depth; $i++) { $child = @{}; $node.next = $child; $node = $child }
        $node.leaf = 'bottom'
        $root
    }
}

AfterAll { $emu | Stop-FcEmulator }

Describe 'What is not data is refused before sending' {
    It 'refuses a file system item and says to use -InputFile' {
        $record = Invoke-Refused (Get-Item $file)
        $record.FullyQualifiedErrorId | Should -Be 'FcInvalidPayload,FcInvoke.Commands.InvokeFcFunctionCommand'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -Match ([regex]::Escape("a file system item (FileInfo '$file')"))
        $record.Exception.Message | Should -Match ([regex]::Escape("-InputFile '$file'"))
        (Invoke-FcFunction echo -InputFile $file @conn).Result | Should -Be '{"from":"file"}' -Because 'the advice works'
    }

    It 'refuses files piped from Get-ChildItem, one error per file, naming each' {
        $before = $emu.RequestCount
        Get-ChildItem $TestDrive -Filter *.json | Invoke-FcFunction echo @conn -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        "$($err[0])" | Should -Match '^Input 1 \(FileInfo\)'
        $emu.RequestCount | Should -Be $before
    }

    It 'refuses <What>' -ForEach @(
        @{ What = 'a stream'; Make = { [IO.MemoryStream]::new([byte[]](1, 2, 3)) }; Says = 'a stream' }
        @{ What = 'a process'; Make = { Get-Process -Id $PID }; Says = 'a process' }
        @{ What = 'a secret'; Make = { ConvertTo-SecureString 'p@ss' -AsPlainText -Force }; Says = 'never sends secrets' }
        @{ What = 'a credential'; Make = { $emu.Credential }; Says = 'never sends secrets' }
        @{ What = 'a script block'; Make = { { 'code' } }; Says = 'a script block' }
        @{ What = 'a .NET type'; Make = { [string] }; Says = 'a .NET type' }
        @{ What = 'an XML document'; Make = { [xml]'<a>1</a>' }; Says = 'OuterXml' }
        @{ What = 'a live object (an emulator)'; Make = { $emu }; Says = 'a live FcInvoke.Emulator.FcEmulator object' }
    ) {
        $record = Invoke-Refused (& $Make)
        $record.FullyQualifiedErrorId | Should -BeLike 'FcInvalidPayload,*'
        $record.Exception.Message | Should -Match ([regex]::Escape($Says))
        $record.Exception.Message | Should -Match 'Nothing was sent'
    }

    It 'names where in the data a live object is' {
        $record = Invoke-Refused @{ order = @{ lines = @(1, (Get-Item $file)) } }
        $record.Exception.Message | Should -Match ([regex]::Escape('$.order.lines[1] is a file system item'))
    }

    It 'refuses a hashtable and an object that contain themselves, naming the loop' {
        $h = @{ name = 'loop' }; $h.self = $h
        (Invoke-Refused $h).Exception.Message | Should -Match ([regex]::Escape('The payload contains itself: $.self is the same object as $'))
        $o = [pscustomobject]@{ name = 'loop'; child = [pscustomobject]@{ n = 1 } }
        $o.child | Add-Member -NotePropertyName parent -NotePropertyValue $o
        (Invoke-Refused $o).Exception.Message | Should -Match ([regex]::Escape('$.child.parent is the same object as $'))
    }

    It 'refuses nesting deeper than 64 levels instead of cutting it short, and sends 64 whole' {
        (Invoke-Refused (New-Nest 66)).Exception.Message | Should -Match 'nests deeper than 64 levels'
        $r = Invoke-FcFunction echo -Payload (New-Nest 64) @conn
        $node = $r.ResultObject
        for ($i = 1; $i -lt 64; $i++) { $node = $node.next }
        $node.leaf | Should -Be 'bottom'
    }
}

Describe 'Data is sent as JSON, whole' {
    It 'sends hashtables, objects, arrays, scalars, dates, enums and versions, and data shared between two places' {
        $shared = @{ sku = 'A-1' }
        $payload = [ordered]@{
            text = 'x'; number = 3; real = 1.5; yes = $true; none = $null; when = [datetime]::new(2026, 11, 24, 10, 0, 0, [DateTimeKind]::Utc)
            kind = [DayOfWeek]::Monday; version = [version]'1.2.3'; id = [guid]'6f9619ff-8b86-d011-b42d-00cf4fc964ff'
            lines = @($shared, $shared); row = [pscustomobject]@{ a = 1; b = @('c', 'd') }
        }
        $json = (Invoke-FcFunction echo -Payload $payload @conn).Result
        $json | Should -BeLike '{"text":"x","number":3,"real":1.5,"yes":true,"none":null,"when":"2026-11-24T10:00:00.0000000Z","kind":"Monday","version":"1.2.3",*'
        $back = $json | ConvertFrom-Json
        $back.lines.sku | Should -Be 'A-1', 'A-1'
        $back.row.b | Should -Be 'c', 'd'
        $back.id | Should -Be '6f9619ff-8b86-d011-b42d-00cf4fc964ff'
    }

    It 'sends a string as it is and bytes raw' {
        (Invoke-FcFunction echo -Payload '{"already":"json"}' @conn).Result | Should -Be '{"already":"json"}'
        (Invoke-FcFunction echo -Payload ([Text.Encoding]::UTF8.GetBytes('raw')) @conn).Result | Should -Be 'raw'
    }
}
