module topupbot

go 1.26
