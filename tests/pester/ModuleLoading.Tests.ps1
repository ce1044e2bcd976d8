BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Module loading' {
    It 'uses the runtime''s own System.Text.Json on pwsh 7, not the copy kept for Windows PowerShell' {
        $emu = Start-FcEmulator -Function @{ echo = { param($Event) $Event } }
        $conn = Get-FcTestConnection $emu
        try {
            # Exercise JSON paths (payload serialization, error parsing) so the assembly is surely loaded.
            $null = Invoke-FcFunction echo -Payload @{ a = 1 } @conn
            Invoke-FcFunction nosuch @conn -ErrorAction SilentlyContinue
        }
        finally { $emu | Stop-FcEmulator }
        $moduleFolder = Split-Path (Get-Module FcInvoke).Path
        Test-Path (Join-Path $moduleFolder 'dependencies/System.Text.Json.dll') | Should -BeTrue
        $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Text.Json' }
        $loaded.Count | Should -Be 1
        $loaded[0].Location | Should -Not -BeLike "$moduleFolder*"
    }
}
