"""Ministry of National Defense (국방부) press releases: korea.kr's copy and mnd.go.kr's board."""
